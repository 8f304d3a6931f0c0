// The shared contract between server and client, in one import. No Node imports anywhere in this folder.
export * from './areas';
export * from './events';
export * from './live';
export * from './socket';
export * from './config-defaults';
export * from './validate';
