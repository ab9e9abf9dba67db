// GoBuild — composes GraphCore and CacheStore.
//
// Responsibilities: target keys from the package graph, Go toolchain discovery,
// `go build` scheduling, reproducible Lambda zip packaging, CI shard plans.
//
// Boundaries: the only module that runs the go command; the CLI only parses and renders.
//
// Invariants: the go command runs with an explicit environment holding exactly the
// resolved settings, so nothing outside a target's key can change its binary (beside them
// only what locates caches and `CollectorTuning`'s GOGC/GOMEMLIMIT, which change speed,
// not bytes).
