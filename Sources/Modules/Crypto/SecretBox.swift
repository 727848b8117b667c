import COpenSSL

/// AES-256-GCM for secrets the service must use again and may not keep in clear (a webhook
/// endpoint's signing secret): `nonce (12) ‖ ciphertext ‖ tag (16)`, a fresh random nonce each
/// time. A wrong key or a changed byte fails to open.
public struct SecretBox: Sendable {
    let key: [UInt8]

    public enum Failure: Error, Equatable {
        case openSSL
        case tampered
    }

    /// `key` must be 32 bytes (derive one with `Digest.hmacSHA256`).
    public init(key: [UInt8]) {
        precondition(key.count == 32, "SecretBox needs a 32-byte key")
        self.key = key
    }

    public func seal(_ plaintext: [UInt8]) throws -> [UInt8] {
        let nonce = try SecureRandom.bytes(12)
        guard let context = EVP_CIPHER_CTX_new() else { throw Failure.openSSL }
        defer { EVP_CIPHER_CTX_free(context) }
        var out = [UInt8](repeating: 0, count: plaintext.count + 16)
        var length: Int32 = 0
        var total = 0
        guard EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1,
            EVP_EncryptUpdate(context, &out, &length, plaintext, Int32(plaintext.count)) == 1
        else { throw Failure.openSSL }
        total = Int(length)
        let final = out.withUnsafeMutableBufferPointer { EVP_EncryptFinal_ex(context, $0.baseAddress! + total, &length) }
        guard final == 1 else { throw Failure.openSSL }
        total += Int(length)
        var tag = [UInt8](repeating: 0, count: 16)
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, 16, &tag) == 1 else { throw Failure.openSSL }
        return nonce + out[0..<total] + tag
    }

    public func open(_ sealed: [UInt8]) throws -> [UInt8] {
        guard sealed.count >= 28 else { throw Failure.tampered }
        let nonce = Array(sealed[0..<12])
        let ciphertext = Array(sealed[12..<(sealed.count - 16)])
        var tag = Array(sealed[(sealed.count - 16)...])
        guard let context = EVP_CIPHER_CTX_new() else { throw Failure.openSSL }
        defer { EVP_CIPHER_CTX_free(context) }
        var out = [UInt8](repeating: 0, count: ciphertext.count + 16)
        var length: Int32 = 0
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1,
            EVP_DecryptUpdate(context, &out, &length, ciphertext, Int32(ciphertext.count)) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, 16, &tag) == 1
        else { throw Failure.openSSL }
        let total = Int(length)
        var finalLength: Int32 = 0
        let final = out.withUnsafeMutableBufferPointer { EVP_DecryptFinal_ex(context, $0.baseAddress! + total, &finalLength) }
        guard final == 1 else { throw Failure.tampered }
        return Array(out[0..<(total + Int(finalLength))])
    }
}
