import Testing
@testable import Pool

@Suite struct RequestDecoderTests {
    @Test func remoteAddrIsBelievedFromNginxsUserOnly() {
        // nginx's worker (uid 33) is believed; another local process claiming loopback is not.
        #expect(RequestDecoder.believedAddress("203.0.113.7", trustedPeer: 33, peer: { 33 }) == "203.0.113.7")
        #expect(RequestDecoder.believedAddress("127.0.0.1", trustedPeer: 33, peer: { 1000 }) == "")
        #expect(RequestDecoder.believedAddress("127.0.0.1", trustedPeer: 33, peer: { nil }) == "")
        // NGINX_USER empty: every peer is believed, and the kernel is not asked.
        #expect(
            RequestDecoder.believedAddress(
                "127.0.0.1", trustedPeer: nil,
                peer: {
                    Issue.record("asked"); return nil
                }) == "127.0.0.1")
        #expect(
            RequestDecoder.believedAddress(
                nil, trustedPeer: 33,
                peer: {
                    Issue.record("asked"); return 33
                }) == "")
        // Over TCP, the listener let the front in by its address: believed, the uid not asked.
        #expect(
            RequestDecoder.believedAddress(
                "203.0.113.7", trustedPeer: 33, fromAllowedFront: true,
                peer: {
                    Issue.record("asked"); return nil
                }) == "203.0.113.7")
    }
}
