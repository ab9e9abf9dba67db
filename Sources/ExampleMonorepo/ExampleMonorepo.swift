// ExampleMonorepo — a deterministic, seeded generator of Go monorepos shaped like AWS
// Lambda repositories, written as real git repositories with a history.
//
// Used by the demo, the tests and the benchmarks. Generated code uses only the
// standard library (or code vendored into the repository), so `go build` works offline.
