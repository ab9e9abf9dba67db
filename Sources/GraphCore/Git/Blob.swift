internal import CGit2

extension Repository {
    /// The raw bytes of blob `id`, read for the file `path` (named in a missing-object error).
    func blobContents(_ id: ObjectID, path: String) throws(GitAccessError) -> [UInt8] {
        var blob: OpaquePointer?
        do {
            try id.withPointer { (oid) throws(LibGit2Error) in
                try check("git_blob_lookup") { git_blob_lookup(&blob, pointer, oid) }
            }
        } catch {
            throw error.isNotFound ? missingObject(id.hex, path: path) : error.accessError
        }
        guard let blob else {
            throw GitAccessError.git(code: -1, function: "git_blob_lookup", message: "no blob returned")
        }
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let raw = git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: raw, count: size))
    }
}
