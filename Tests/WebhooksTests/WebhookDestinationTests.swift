import Crypto
import Testing
@testable import Webhooks

@Suite struct WebhookDestinationTests {
    @Test func onlyHTTPSToANamedHostUnlessPrivateIsAllowed() throws {
        #expect(
            try WebhookDestination.parse("https://hooks.example.com/in?x=1", allowPrivate: false).get() == WebhookDestination(scheme: "https", host: "hooks.example.com", port: 443)
        )
        #expect(try WebhookDestination.parse("HTTPS://Hooks.Example.com:8443/", allowPrivate: false).get().port == 8443)
        #expect(try WebhookDestination.parse("https://[2001:db8::1]:444/x", allowPrivate: false).get().host == "2001:db8::1")
        for bad in [
            "http://hooks.example.com/", "ftp://x/", "https://", "https://user:pw@x/", "https://x:0/", "https://x:99999/", "https://[::1/", "javascript:alert(1)",
            "https://exa mple.com/",
        ] {
            #expect((try? WebhookDestination.parse(bad, allowPrivate: false).get()) == nil, "\(bad)")
        }
        #expect(try WebhookDestination.parse("http://127.0.0.1:22112/x", allowPrivate: true).get().port == 22112)
    }

    @Test func loopbackPrivateLinkLocalAndMulticastAreRefused() {
        for address in [
            "127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255",
            "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "64:ff9b::a00:1", "not an address",
        ] {
            #expect(!AddressRanges.isPublic(address), "\(address)")
        }
        for address in ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "172.32.0.1", "100.128.0.1"] {
            #expect(AddressRanges.isPublic(address), "\(address)")
        }
    }

    @Test func aHostResolvingInsideTheNetworkIsRefusedAndAPublicOneIsPinned() throws {
        let loopback = try WebhookDestination.parse("https://127.0.0.1/hook", allowPrivate: false).get()
        guard case .failure(let problem) = loopback.resolve(allowPrivate: false) else { Issue.record("127.0.0.1 was allowed"); return }
        #expect(problem.message.contains("127.0.0.1"))
        let ten = try WebhookDestination.parse("https://10.0.0.1:8443/hook", allowPrivate: false).get()
        #expect((try? ten.resolve(allowPrivate: false).get()) == nil)
        #expect((try? WebhookDestination.parse("https://localhost/", allowPrivate: false).get().resolve(allowPrivate: false).get()) == nil)
        // Allowed, the address is pinned as libcurl's CURLOPT_RESOLVE takes it.
        #expect(try ten.resolve(allowPrivate: true).get() == ["10.0.0.1:8443:10.0.0.1"])
    }

    @Test func retriesWaitLongerEachTimeForAboutThreeDays() {
        let settings = WebhookSettings(allowPrivate: false, maxAttempts: 15, retryBaseSeconds: 60, jwtSecret: Array(repeating: 7, count: 32))
        #expect((1...4).map(settings.delaySeconds(afterAttempt:)) == [60, 120, 240, 480])
        let total = (1..<15).map(settings.delaySeconds(afterAttempt:)).reduce(0, +)
        #expect((60 * 3600...84 * 3600).contains(total), "\(total)")
        // Secrets are sealed, and only this key opens them.
        let sealed = try? settings.secrets.seal(Array("whsec_abc".utf8))
        #expect(sealed.flatMap { try? settings.secrets.open($0) } == Array("whsec_abc".utf8))
        let other = WebhookSettings(allowPrivate: false, maxAttempts: 15, retryBaseSeconds: 60, jwtSecret: Array(repeating: 8, count: 32))
        #expect(sealed.flatMap { try? other.secrets.open($0) } == nil)
    }
}
