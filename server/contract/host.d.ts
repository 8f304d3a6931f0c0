// The one host API the contract relies on beyond ECMAScript. Browsers and Node (17+) both provide it; the
// contract's tsconfig loads neither's types, so it is declared here, by name, and nothing else slips in.
declare function structuredClone<T>(value: T): T;
