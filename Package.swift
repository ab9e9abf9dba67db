// swift-tools-version: 6.1
import Foundation
import PackageDescription

let package = Package(
    name: "gocache",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gocache", targets: ["gocache"]),
        .library(name: "GraphCore", targets: ["GraphCore"]),
        .library(name: "CacheStore", targets: ["CacheStore"]),
        .library(name: "GoBuild", targets: ["GoBuild"]),
        .library(name: "ExampleMonorepo", targets: ["ExampleMonorepo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // System libraries: module maps over a shim header, found by pkg-config.
        .systemLibrary(
            name: "CGit2", pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(
            name: "CCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CDeflate", pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"])]),

        .target(
            name: "GraphCore",
            dependencies: ["CGit2", .product(name: "Yams", package: "Yams")]),
        .target(name: "CacheStore", dependencies: ["CCrypto"]),
        .target(
            name: "GoBuild",
            dependencies: ["GraphCore", "CacheStore", "CDeflate"]),
        .target(name: "ExampleMonorepo"),
        // What the executable overrides at link time to start sooner (libcurl opened on first
        // use, libgit2's TLS certificates not parsed): Sources/CExecutableShims/include. Not a
        // dependency of the libraries, whose embedders keep the usual behaviour.
        .target(name: "CExecutableShims", linkerSettings: [.linkedLibrary("dl")]),
        .executableTarget(
            name: "gocache",
            dependencies: [
                "GraphCore", "CacheStore", "GoBuild", "ExampleMonorepo", "CExecutableShims",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // Exported as the static release link does (-static-stdlib passes -export-dynamic), so
            // CExecutableShims' definitions take precedence over the shared libraries' in debug
            // builds too (there FoundationNetworking and libcurl are shared libraries): the tests'
            // remote-cache runs go through the forwarding curl functions.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"], .when(platforms: [.linux]))]),

        .target(name: "TestSupport", dependencies: ["ExampleMonorepo", "GraphCore"], path: "Tests/TestSupport"),
        .testTarget(name: "GraphCoreTests", dependencies: ["GraphCore", "TestSupport", "ExampleMonorepo"]),
        .testTarget(name: "CacheStoreTests", dependencies: ["CacheStore", "TestSupport"]),
        .testTarget(name: "GoBuildTests", dependencies: ["GoBuild", "GraphCore", "CacheStore", "TestSupport"]),
        .testTarget(name: "ExampleMonorepoTests", dependencies: ["ExampleMonorepo", "TestSupport"]),
        .testTarget(name: "GocacheCLITests", dependencies: ["TestSupport", "ExampleMonorepo"]),
    ]
)

// Benchmarks are wired in only on demand so a plain `swift build` stays lean.
if ProcessInfo.processInfo.environment["GOCACHE_BENCHMARKS"] != nil {
    // `swift package --disable-sandbox benchmark --target GocacheBenchmarks` with GOCACHE_BENCHMARKS set.
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]))
    package.targets.append(
        .executableTarget(
            name: "GocacheBenchmarks",
            dependencies: [
                "GraphCore", "CacheStore", "CCrypto", "GoBuild", "ExampleMonorepo",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/GocacheBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]))
}

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
