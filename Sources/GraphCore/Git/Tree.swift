internal import CGit2

extension Repository {
    /// The entries of the tree `id` (the directory `dir` of a revision), sorted by name, each
    /// with its object id, git mode and — for blobs — size read from the object header
    /// (`nil` when the blob is missing from a partial clone).
    ///
    /// - Complexity: O(n) object-header reads for n entries; blob contents are not read.
    func listTree(_ id: ObjectID, dir: String) throws(GitAccessError) -> DirectoryListing {
        var tree: OpaquePointer?
        do {
            try id.withPointer { (oid) throws(LibGit2Error) in
                try check("git_tree_lookup") { git_tree_lookup(&tree, pointer, oid) }
            }
        } catch {
            throw error.isNotFound ? missingObject(id.hex, path: dir.isEmpty ? nil : dir) : error.accessError
        }
        guard let tree else {
            throw GitAccessError.git(code: -1, function: "git_tree_lookup", message: "no tree returned")
        }
        defer { git_tree_free(tree) }
        let odb = try? odb()
        let count = git_tree_entrycount(tree)
        var entries: [(entry: FileTreeEntry, id: ObjectID?)] = []
        entries.reserveCapacity(count)
        for index in 0..<count {
            guard let entry = git_tree_entry_byindex(tree, index), let cName = git_tree_entry_name(entry),
                let cID = git_tree_entry_id(entry)
            else { continue }
            // A name that is not UTF-8 cannot be an input (embed and module rules reject
            // it) unless go/build reads it as a source file: that one is an error.
            guard let name = String(validatingCString: cName) else {
                let lossy = String(cString: cName)
                let ext = lossy.lastIndex(of: ".").map { String(lossy[$0...]) } ?? ""
                if sourceFileExtensions.contains(ext) { throw GitAccessError.nonUTF8Name(path: dir.isEmpty ? lossy : dir + "/" + lossy) }
                continue
            }
            let objectID = ObjectID(cID)
            let mode = UInt32(git_tree_entry_filemode_raw(entry).rawValue)
            let kind: FileTreeEntry.Kind
            switch mode & 0o170000 {
            case 0o040000: kind = .directory
            case 0o120000: kind = .symlink
            case 0o160000: kind = .submodule
            default: kind = .file
            }
            var size: Int?
            if kind == .file || kind == .symlink, let odb {
                var length = 0
                var type = GIT_OBJECT_ANY
                let found = objectID.withPointer { git_odb_read_header(&length, &type, odb, $0) }
                if found == 0 { size = length }
            }
            let isBlob = kind == .file || kind == .symlink
            entries.append(
                (FileTreeEntry(name: name, kind: kind, blobID: isBlob ? objectID.hex : nil, size: size, mode: mode),
                 objectID))
        }
        return DirectoryListing(entries: entries)
    }
}
