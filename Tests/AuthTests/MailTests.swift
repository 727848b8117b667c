import Mail
import Testing

@Suite struct MailTests {
    @Test func messagesHaveTheHeadersRelaysExpectAndCRLFLines() {
        let message = MailTemplates.passwordReset(to: "ann@example.com", firstName: "Ann", resetURL: "https://shop.test/reset-password?token=abc", validMinutes: 60)
        let text = String(decoding: MailFormatter.format(message, id: "m1", from: "Shop <noreply@shop.test>", epochMilliseconds: 1_795_000_000_000), as: UTF8.self)
        #expect(
            text.hasPrefix(
                "Date: Wed, 18 Nov 2026 11:06:40 +0000\r\nFrom: Shop <noreply@shop.test>\r\nTo: <ann@example.com>\r\nSubject: Reset your password\r\nMessage-ID: <m1@shop.test>\r\n"
            ))
        #expect(text.contains("Content-Transfer-Encoding: 7bit\r\n\r\nHello Ann,\r\n"))
        #expect(text.contains("https://shop.test/reset-password?token=abc\r\n"))
        #expect(!text.replacing("\r\n", with: "").contains("\n"))
    }

    @Test func nonASCIIBodiesAndSubjectsAreEncoded() {
        let message = MailMessage(template: "t", to: "z@example.com", subject: "Grüße", bodyText: "Hallo Zoë")
        let text = String(decoding: MailFormatter.format(message, id: "m2", from: "noreply@shop.test", epochMilliseconds: 0), as: UTF8.self)
        #expect(text.contains("Subject: =?utf-8?B?R3LDvMOfZQ==?=\r\n"))
        #expect(text.contains("Content-Transfer-Encoding: base64\r\n\r\nSGFsbG8gWm/Dqw==\r\n"))
    }

    @Test func anHTMLBodyMakesAMultipartAlternativeWithTheTextFirst() {
        let message = MailMessage(template: "t", to: "z@example.com", subject: "Order", bodyText: "Total: 12.00", bodyHTML: "<p>Total: 12,00 €</p>")
        let text = String(decoding: MailFormatter.format(message, id: "a1-b2", from: "noreply@shop.test", epochMilliseconds: 0), as: UTF8.self)
        #expect(text.contains("MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"=_alt_a1b2\"\r\n\r\n--=_alt_a1b2\r\n"))
        #expect(text.contains("--=_alt_a1b2\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nTotal: 12.00\r\n--=_alt_a1b2\r\n"))
        // "€" makes the HTML part base64: "<p>Total: 12,00 €</p>".
        #expect(text.contains("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nPHA+VG90YWw6IDEyLDAwIOKCrDwvcD4=\r\n--=_alt_a1b2--\r\n"))
        #expect(text.hasSuffix("--=_alt_a1b2--\r\n"))
    }

    @Test func headerInjectionIsStripped() {
        let message = MailMessage(template: "t", to: "z@example.com", subject: "Hi\r\nBcc: victim@example.com", bodyText: "x")
        let text = String(decoding: MailFormatter.format(message, id: "m3", from: "noreply@shop.test", epochMilliseconds: 0), as: UTF8.self)
        #expect(text.contains("Subject: HiBcc: victim@example.com\r\n"))
        #expect(!text.contains("\r\nBcc:"))
    }

    @Test func backoffDoublesUpToItsCap() {
        #expect((1...6).map { MailDispatcher.backoffSeconds(afterAttempt: $0, base: 30, cap: 600) } == [30, 60, 120, 240, 480, 600])
        #expect(MailDispatcher.backoffSeconds(afterAttempt: 100, base: 30, cap: 3600) == 3600)
    }

    @Test func theAddressIsTakenFromAMailbox() {
        #expect(MailFormatter.address(in: "Shop <noreply@shop.test>") == "noreply@shop.test")
        #expect(MailFormatter.address(in: "noreply@shop.test") == "noreply@shop.test")
    }
}
