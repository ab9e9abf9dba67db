// ExampleMonorepo — a deterministic, seeded generator of Go monorepos shaped like AWS
// Lambda repositories, written as real git repositories with a history.
//
// Responsibilities: build a `GeneratedTree` (path → bytes) from a `MonorepoSpec`, apply
// seeded edits to a tree (`MonorepoMutator`) and write trees as commits (`GitWriter`,
// `MonorepoGenerator.writeRepository`).
//
// Boundaries: depends on Foundation only; runs the `git` command (never libgit2) with a
// fixed environment. Knows nothing of gocache's graph or keys.
//
// Invariants: the same spec (and edit seed) gives the same bytes and the same commit ids
// on every machine; randomness comes only from `SplitMix64`, never Swift's random. Every
// generated or mutated tree compiles with `go build` and is `go vet` clean, offline, using
// only the standard library (and the code vendored into the tree), with cgo on or off.
