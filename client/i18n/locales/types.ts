// A translation must have exactly the keys of the Chinese original (the default language), with string
// values: a missing or misspelt key is a compile error, not a blank on the wall.
export type Strings<T> = { [K in keyof T]: T[K] extends string ? string : Strings<T[K]> };
