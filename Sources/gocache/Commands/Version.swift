import ArgumentParser
import CacheStore

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Print the tool version and the key-format version.")

    func run() throws {
        Stdout.write("gocache \(GocacheVersion.tool)\nkey format \(KeyFormat.version)\n")
    }
}
