import HTTP

/// Turns an outbox message into RFC 5322 bytes: CRLF line ends, the headers mail servers
/// and spam filters expect, and a body that survives 7-bit relays.
public enum MailFormatter {
    public static func format(_ message: MailMessage, id: String, from: String, epochMilliseconds: Int64) -> [UInt8] {
        let fromAddress = address(in: from)
        let domain = fromAddress.split(separator: "@").last.map(String.init) ?? "localhost"
        var lines = [
            "Date: " + Timestamp.rfc5322(epochMilliseconds: epochMilliseconds),
            "From: " + headerValue(from),
            "To: <" + message.to + ">",
            "Subject: " + encodedWord(message.subject),
            "Message-ID: <" + id + "@" + domain + ">",
            "MIME-Version: 1.0",
        ]
        if let html = message.bodyHTML {
            // The boundary comes from the message id, which never appears in a base64 or 7-bit part.
            let boundary = "=_alt_" + id.filter { $0.isLetter || $0.isNumber }
            lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            lines.append("")
            lines.append("--" + boundary)
            lines += part(message.bodyText, type: "text/plain")
            lines.append("--" + boundary)
            lines += part(html, type: "text/html")
            lines.append("--" + boundary + "--")
        } else {
            lines += part(message.bodyText, type: "text/plain")
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// A part's headers, the blank line and its body: 7-bit when it is ASCII, else base64.
    private static func part(_ text: String, type: String) -> [String] {
        let ascii = text.utf8.allSatisfy { $0 < 0x80 }
        var lines = ["Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: " + (ascii ? "7bit" : "base64"), ""]
        if ascii {
            lines += text.replacing("\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        } else {
            let encoded = Base64.encode(Array(text.utf8))
            var index = encoded.startIndex
            while index < encoded.endIndex {
                let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
                lines.append(String(encoded[index..<end]))
                index = end
            }
        }
        return lines
    }

    /// `Name <a@b>` → `a@b`; a bare address is returned as is.
    public static func address(in mailbox: String) -> String {
        guard let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close else { return mailbox }
        return String(mailbox[mailbox.index(after: open)..<close])
    }

    /// Header text from configuration or a template: no line breaks may reach the header block.
    static func headerValue(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0 != "\r" && $0 != "\n" })
    }

    /// RFC 2047 for a non-ASCII subject.
    static func encodedWord(_ text: String) -> String {
        let clean = headerValue(text)
        guard !clean.utf8.allSatisfy({ $0 < 0x80 }) else { return clean }
        return "=?utf-8?B?" + Base64.encode(Array(clean.utf8)) + "?="
    }
}

/// Standard base64 with padding (RFC 4648 §4), as MIME wants it.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = UInt32(0)
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << UInt32(16 - 8 * offset) }
            for position in 0..<4 {
                out.append(position <= chunk.count ? alphabet[Int((value >> UInt32(18 - 6 * position)) & 63)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
