import FastCGI
#if canImport(Glibc)
import Glibc
#endif

enum ProcessEnvironment {
    static func current() -> [String: String] { EnvironmentBlock.dictionary(environ) }
}
