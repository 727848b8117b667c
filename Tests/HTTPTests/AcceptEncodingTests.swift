import HTTP
import Testing

@Suite struct AcceptEncodingTests {
    @Test func gzipIsTakenUnlessRefused() {
        for header in ["gzip", "gzip, deflate, br", "br;q=1.0, GZIP;q=0.5", "*", "x-gzip", " deflate , gzip ; q=0.001"] {
            #expect(AcceptEncoding.allowsGzip(header), "\(header)")
        }
        for header in [nil, "", "identity", "br, deflate", "gzip;q=0", "gzip; q=0.000", "*;q=0", "gzipx", "gzip-like"] {
            #expect(!AcceptEncoding.allowsGzip(header), "\(header ?? "nil")")
        }
    }
}
