// npm run sim -- --target URL: the scenario simulator that posts through the public API.
// It needs the ingest API of the live server, which does not exist yet; until then this says so plainly
// instead of pretending to run.
console.error('npm run sim: the simulator arrives with the live server (ingest API); it is not built yet.');
process.exit(2);
