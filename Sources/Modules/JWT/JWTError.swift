/// Why a token was refused. Every case answers 401; the case is for logs and tests.
public enum JWTError: Error, Equatable, Sendable {
    case malformed
    case unsupportedAlgorithm(String)
    case badSignature
    case expired
    case issuedInTheFuture
    case wrongType
}
