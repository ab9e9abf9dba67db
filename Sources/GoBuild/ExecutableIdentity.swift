import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What identifies a gocache executable for the memos: the GNU build id its linker wrote
/// (a digest of the linked output), so the same release installed anew — as a CI job does
/// for every run — keeps its memos, while any other build gets its own.
enum ExecutableIdentity {
    /// The bytes of the `NT_GNU_BUILD_ID` note of the 64-bit little-endian ELF file at
    /// `path`; nil when it has none (or is not such a file): the caller falls back to the
    /// file's path and stat data.
    static func gnuBuildID(_ path: String) -> [UInt8]? {
        buildIDs(path).gnu
    }

    /// The GNU build id of the ELF file at `path`, else the Go build id the go command's
    /// linker writes (`.note.go.buildid`, its content id a digest of the binary; the go
    /// command's own GNU note lies outside any note segment), marked so the two never meet.
    static func buildID(_ path: String) -> [UInt8]? {
        let ids = buildIDs(path)
        return ids.gnu ?? ids.go.map { Array("go:".utf8) + $0 }
    }

    /// The build id notes found in the `PT_NOTE` segments of a 64-bit little-endian ELF file.
    private static func buildIDs(_ path: String) -> (gnu: [UInt8]?, go: [UInt8]?) {
        var goID: [UInt8]?
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return (nil, nil) }
        defer { close(descriptor) }
        func read(_ offset: Int, _ count: Int) -> [UInt8]? {
            guard count > 0, count <= 1 << 20, offset >= 0 else { return nil }
            var bytes = [UInt8](repeating: 0, count: count)
            var filled = 0
            while filled < count {
                let n = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + filled, count - filled, off_t(offset + filled)) }
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { return nil }
                filled += n
            }
            return bytes
        }
        func u16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }
        func u32(_ b: [UInt8], _ at: Int) -> Int { u16(b, at) | u16(b, at + 2) << 16 }
        func u64(_ b: [UInt8], _ at: Int) -> Int? {
            let high = u32(b, at + 4)
            guard high < 1 << 30 else { return nil }
            return u32(b, at) | high << 32
        }
        // ELF64, little-endian, version 1.
        guard let header = read(0, 64), header[0..<4].elementsEqual([0x7f, 0x45, 0x4c, 0x46]), header[4] == 2,
            header[5] == 1, header[6] == 1, let table = u64(header, 32)
        else { return (nil, nil) }
        let entrySize = u16(header, 54)
        let count = u16(header, 56)
        guard entrySize >= 56, count > 0, let headers = read(table, entrySize * count) else { return (nil, nil) }
        for index in 0..<count {
            let at = index * entrySize
            // PT_NOTE segments: a sequence of (namesz, descsz, type, name, desc), 4-byte aligned.
            guard u32(headers, at) == 4, let offset = u64(headers, at + 8), let size = u64(headers, at + 32),
                size <= 1 << 16, let notes = read(offset, size)
            else { continue }
            var position = 0
            while position + 12 <= notes.count {
                let nameSize = u32(notes, position)
                let descriptionSize = u32(notes, position + 4)
                let type = u32(notes, position + 8)
                let name = position + 12
                let description = name + (nameSize + 3) / 4 * 4
                let end = description + (descriptionSize + 3) / 4 * 4
                guard nameSize < 1 << 12, descriptionSize < 1 << 12, description + descriptionSize <= notes.count else { break }
                if type == 3, nameSize == 4, notes[name..<name + 4].elementsEqual([0x47, 0x4e, 0x55, 0]), descriptionSize >= 8 {
                    return (Array(notes[description..<description + descriptionSize]), goID)
                }
                // The Go note: name "Go" (padded to 4), type 4, the build id as text.
                if type == 4, nameSize == 4, notes[name..<name + 4].elementsEqual([0x47, 0x6f, 0, 0]), descriptionSize >= 16 {
                    goID = Array(notes[description..<description + descriptionSize])
                }
                position = end
            }
        }
        return (nil, goID)
    }
}
