// GraphCore — the Go package graph of one snapshot of a git repository.
//
// Responsibilities:
// - Git access through libgit2 (repository, revision, tree, blob, diff): a revision is
//   read straight from the object database, never checked out, never by running `git`.
// - The Go workspace model: module discovery, go.mod / go.work / go.sum /
//   vendor/modules.txt, replace directives, whether vendoring is in effect.
// - Go source headers (package clause, imports, build constraints, //go:embed) and
//   build-constraint evaluation for one `BuildContext`.
// - The package graph: packages, imports, targets (`package main`), closures, reverse
//   dependencies, and impact analysis on it.
// - Settings resolution (Lambda defaults < gocache.yaml < flags) and the cache directory.
//
// Boundaries: knows Go and git, not build artifacts or stores (CacheStore) and does not
// run the go command (GoBuild does). No C type appears in the public API.
//
// Invariants: every answer equals what `go list -e -deps -json` says for the same tree
// and platform; outputs are sorted and deterministic; errors are structured values that
// name the file, package or revision involved.
