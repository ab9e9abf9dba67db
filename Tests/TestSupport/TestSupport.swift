// TestSupport — shared helpers for the test targets: temporary directories, fixture git
// repositories with fixed authors and dates, the Go toolchain of the test run, and the
// `go list` oracle.
