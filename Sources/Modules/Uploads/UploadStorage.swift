#if canImport(Glibc)
import Glibc
#endif

/// Files under UPLOAD_DIR. Every upload is written to a temporary file beside its final
/// place and renamed into `yyyy/mm/<uuid>.<ext>` only once complete, so a failed or refused
/// upload leaves nothing behind and nginx never serves half a file.
public struct UploadStorage: Sendable {
    public enum Failure: Error, Equatable {
        case io(String)
    }

    public let root: String

    public init(root: String) { self.root = root }

    /// An open temporary file, removed unless `commit` moves it into place.
    public final class PendingFile {
        let path: String
        private var fd: Int32
        public private(set) var size = 0

        init(path: String, fd: Int32) {
            self.path = path
            self.fd = fd
        }

        deinit { abandon() }

        public func write(_ bytes: [UInt8]) throws(Failure) {
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw .io("write failed: errno \(errno)")
                }
                offset += written
            }
            size += bytes.count
        }

        /// Replaces the file's bytes with `transform` of them, before it is committed.
        public func rewrite(_ transform: ([UInt8]) -> [UInt8]) throws(Failure) {
            guard fd >= 0 else { throw .io("file already closed") }
            var bytes = [UInt8](repeating: 0, count: size)
            var offset = 0
            while offset < bytes.count {
                let count = bytes[offset...].withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw .io("read failed: errno \(errno)")
                }
                if count == 0 { break }
                offset += count
            }
            let replacement = transform(Array(bytes[0..<offset]))
            guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else { throw .io("rewrite failed: errno \(errno)") }
            size = 0
            try write(replacement)
        }

        /// Deletes the temporary file (idempotent).
        public func abandon() {
            if fd >= 0 { close(fd); fd = -1; unlink(path) }
        }

        /// Moves the file to `destination` (absolute); the temporary name is gone either way.
        func commit(to destination: String) throws(Failure) {
            guard fd >= 0 else { throw .io("file already closed") }
            let synced = fsync(fd) == 0
            close(fd)
            fd = -1
            guard synced, rename(path, destination) == 0 else {
                unlink(path)
                throw .io("could not store the upload: errno \(errno)")
            }
        }
    }

    /// `2026/11`: the folder of this month, created on demand.
    public func monthFolder(epochMilliseconds: Int64) throws(Failure) -> String {
        var seconds = time_t(epochMilliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let year = String(parts.tm_year + 1900)
        let month = parts.tm_mon + 1 < 10 ? "0\(parts.tm_mon + 1)" : "\(parts.tm_mon + 1)"
        for directory in [root, root + "/" + year, root + "/" + year + "/" + month] {
            if mkdir(directory, 0o2750) != 0 && errno != EEXIST { throw .io("cannot create \(directory): errno \(errno)") }
        }
        return year + "/" + month
    }

    public func begin(folder: String, name: String) throws(Failure) -> PendingFile {
        let path = root + "/" + folder + "/." + name + ".part"
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw .io("cannot create a temporary file: errno \(errno)") }
        return PendingFile(path: path, fd: fd)
    }

    /// Moves a finished file to `relativePath` (`2026/11/<uuid>.jpg`).
    public func commit(_ file: PendingFile, as relativePath: String) throws(Failure) {
        try file.commit(to: root + "/" + relativePath)
    }

    /// Removes a stored file; false when it was not there.
    @discardableResult
    public func remove(_ relativePath: String) -> Bool {
        unlink(root + "/" + relativePath) == 0
    }

    /// Whether `relativePath` is one of our generated names, so nothing a client sends can
    /// reach outside the upload folder: `yyyy/mm/<uuid>.<jpg|png|webp|gif>` and nothing else.
    public static func isGeneratedPath(_ relativePath: String) -> Bool {
        let parts = relativePath.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[0].allSatisfy(\.isASCIIDigit),
            parts[1].count == 2, parts[1].allSatisfy(\.isASCIIDigit)
        else { return false }
        let file = parts[2].split(separator: ".", omittingEmptySubsequences: false)
        guard file.count == 2, ImageKind.allCases.contains(where: { $0.fileExtension == file[1] }), file[0].count == 36 else { return false }
        return file[0].allSatisfy { $0 == "-" || $0.isASCIIDigit || ("a"..."f").contains($0) }
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
