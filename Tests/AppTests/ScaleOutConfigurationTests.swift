import Core
import Testing

@testable import App

/// The settings of several app hosts and a read replica (README, "Several app hosts").
@Suite struct ScaleOutConfigurationTests {
    let minimal = [
        "DATABASE_URL": "postgresql://commerce:secret@10.0.0.20:5432/commerce",
        "REDIS_URL": "redis://10.0.0.30:6379/0",
        "JWT_SECRET": String(repeating: "k", count: 32),
    ]

    private func load(_ changes: [String: String]) -> Result<Configuration, ConfigurationErrors> {
        Result { try Configuration.load(minimal.merging(changes) { _, new in new }) }.mapError { $0 as! ConfigurationErrors }
    }

    private func problems(_ changes: [String: String]) -> [String] {
        switch load(changes) {
        case .success: []
        case .failure(let errors): errors.errors.map(\.description)
        }
    }

    @Test func poolsListenOnTCPOnlyForTheNamedFronts() throws {
        let config = try load(["API_LISTEN": "10.0.0.11:9000", "CHECKOUT_LISTEN": "[fd00::11]:9001", "FASTCGI_ALLOWED_ADDRESSES": "10.0.0.10, fd00:0::10"]).get()
        #expect(config.pool.api.listenAddress?.description == "10.0.0.11:9000")
        #expect(config.pool.pool(named: "checkout")?.listenAddress?.description == "[fd00::11]:9001")
        #expect(config.pool.api.endpoint == "tcp:10.0.0.11:9000")
        // Spellings of one address are one address.
        #expect(config.pool.allowedFrontAddresses == [IPAddress("10.0.0.10")!, IPAddress("fd00::10")!])
        #expect(try load([:]).get().pool.api.listenAddress == nil)
    }

    @Test func aTCPListenerWithoutAllowedFrontsOrWithBadAddressesIsRefused() {
        #expect(
            problems(["API_LISTEN": "10.0.0.11:9000"]) == [
                "configuration error: FASTCGI_ALLOWED_ADDRESSES is required when a pool listens on TCP (API_LISTEN, CHECKOUT_LISTEN): name the front nginx hosts"
            ])
        #expect(
            problems(["API_LISTEN": "app1:9000", "FASTCGI_ALLOWED_ADDRESSES": "10.0.0.10"]) == [
                #"configuration error: API_LISTEN must be HOST:PORT with a numeric address, like 10.0.0.11:9000 or [fd00::11]:9000, got "app1:9000""#
            ])
        #expect(problems(["API_LISTEN": "10.0.0.11:0", "FASTCGI_ALLOWED_ADDRESSES": "10.0.0.10"]).count == 1)
        #expect(problems(["API_LISTEN": "fd00::11:9000", "FASTCGI_ALLOWED_ADDRESSES": "10.0.0.10"]).count == 1)
        #expect(
            problems(["FASTCGI_ALLOWED_ADDRESSES": "10.0.0.10,front.example"]) == [
                "configuration error: FASTCGI_ALLOWED_ADDRESSES must be numeric IP addresses separated by commas (the front nginx hosts)"
            ])
        #expect(
            problems(["API_LISTEN": "10.0.0.11:9000", "CHECKOUT_LISTEN": "10.0.0.11:9000", "FASTCGI_ALLOWED_ADDRESSES": "10.0.0.10"]) == [
                "configuration error: CHECKOUT_LISTEN must differ from API_LISTEN"
            ])
    }

    @Test func theReadReplicaIsOptionalAndItsLagBounded() throws {
        let plain = try load([:]).get()
        #expect(plain.databaseReadURL == nil && plain.replicaMaxLag == 5)
        #expect(plain.replicaClient(applicationName: "t") == nil)
        let replicated = try load(["DATABASE_READ_URL": "postgresql://commerce:secret@10.0.0.21:5432/commerce", "REPLICA_MAX_LAG": "2"]).get()
        #expect(replicated.databaseReadURL == "postgresql://commerce:secret@10.0.0.21:5432/commerce" && replicated.replicaMaxLag == 2)
        #expect(replicated.replicaClient(applicationName: "t") != nil)
        #expect(problems(["DATABASE_READ_URL": "mysql://x"]) == ["configuration error: DATABASE_READ_URL must be a postgresql:// URL (a streaming replica of DATABASE_URL)"])
        #expect(problems(["REPLICA_MAX_LAG": "0"]).first?.hasPrefix("configuration error: REPLICA_MAX_LAG must be a whole number") == true)
    }

    @Test func ipAddressesAreCanonicalAndMappedIPv4IsIPv4() {
        #expect(IPAddress("::ffff:10.0.0.10") == IPAddress("10.0.0.10"))
        #expect(IPAddress("FD00:0:0::1")?.text == "fd00::1")
        #expect(IPAddress("10.0.0.256") == nil && IPAddress("localhost") == nil && IPAddress("") == nil)
        #expect(ListenAddress("[::1]:9000")?.description == "[::1]:9000")
        #expect(ListenAddress("127.0.0.1:65536") == nil && ListenAddress("127.0.0.1") == nil && ListenAddress("[::1]9000") == nil)
    }
}
