// swift-tools-version:6.0
import PackageDescription

// One Swift package: swift-argument-parser, for the command line only (help on every command,
// validation, completions); the C libraries below are the rest of the stack. Each target
// declares exactly the modules it imports.

func module(_ name: String, _ deps: [Target.Dependency], resources: [Resource]? = nil) -> Target {
    .target(name: name, dependencies: deps, path: "Sources/Modules/\(name)", resources: resources, swiftSettings: optimized)
}

// Release builds optimise across modules: a generic or small function of one module (a JSON
// write, a row decode, base64) is specialised and inlined where another module calls it,
// instead of running through witness tables.
let optimized: [SwiftSetting] = [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]

func system(_ name: String, pkgConfig: String, apt: String) -> Target {
    .systemLibrary(name: name, path: "Sources/Modules/\(name)", pkgConfig: pkgConfig, providers: [.apt([apt])])
}

let package = Package(
    name: "CommerceFCGI",
    platforms: [.macOS(.v14)],
    products: [.executable(name: "commerce-fcgi", targets: ["CommerceFCGI"])],
    dependencies: [.package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")],
    targets: [
        system("CFastCGI", pkgConfig: "fcgi", apt: "libfcgi-dev"),
        system("CLibPQ", pkgConfig: "libpq", apt: "libpq-dev"),
        system("CHiredis", pkgConfig: "hiredis", apt: "libhiredis-dev"),
        system("CCurl", pkgConfig: "libcurl", apt: "libcurl4-openssl-dev"),
        system("COpenSSL", pkgConfig: "openssl", apt: "libssl-dev"),
        system("CZlib", pkgConfig: "zlib", apt: "zlib1g-dev"),
        .target(name: "CSystem", path: "Sources/Modules/CSystem"),

        // One Swift owner per C library.
        module("FastCGI", ["CFastCGI", "CSystem", "Core"]),
        module("Postgres", ["CLibPQ", "Core"]),
        module("Redis", ["CHiredis"]),
        module("HTTPClient", ["CCurl", "Core"]),
        module("Crypto", ["COpenSSL"]),
        module("Gzip", ["CZlib"]),

        // Infrastructure that knows no C library and no feature.
        module("Core", []),
        module("HTTP", ["Core"]),
        module("Scoreboard", ["Core", "CSystem"]),
        module("JWT", ["Crypto", "HTTP"]),

        // Features.
        module("Health", ["HTTP", "Postgres", "Redis"]),
        module("Metrics", ["Core", "HTTP", "Scoreboard", "Crypto"]),
        module("Docs", ["HTTP"], resources: [.embedInCode("openapi.json"), .embedInCode("docs.html")]),
        module("Mail", ["HTTP", "Postgres"]),
        module("Audit", ["HTTP", "Postgres"]),
        module("Webhooks", ["Audit", "Crypto", "HTTP", "HTTPClient", "Postgres"]),
        module("Auth", ["Audit", "HTTP", "Postgres", "Redis", "Crypto", "JWT", "Mail"]),
        module("Users", ["Audit", "Auth", "HTTP", "Postgres"]),
        module("Catalog", ["Audit", "Webhooks", "Auth", "HTTP", "Postgres", "Redis", "Crypto", "Inventory", "Gzip"]),
        module("Uploads", ["Audit", "Catalog", "HTTP", "Postgres", "Crypto"]),
        module("Idempotency", ["HTTP", "Postgres", "Crypto"]),
        module("Inventory", ["Core", "Postgres", "Redis"]),
        module("Coupons", ["Audit", "Auth", "HTTP", "Postgres"]),
        module("Cart", ["Auth", "Coupons", "Crypto", "HTTP", "Inventory", "Postgres"]),
        module("Orders", ["Audit", "Webhooks", "Cart", "Coupons", "Users", "Idempotency", "Inventory", "Mail", "HTTP", "Postgres"]),
        module("Payments", ["Audit", "Webhooks", "Crypto", "HTTP", "HTTPClient", "Postgres", "Orders", "Mail", "Idempotency"]),
        module("Demo", ["Catalog", "Coupons", "Uploads", "Core", "Crypto", "Postgres"]),

        // Wiring: configuration, the route table, the worker loop and the supervisor.
        module(
            "App",
            [
                "Core", "HTTP", "Postgres", "Redis", "Crypto", "Scoreboard", "Health", "Metrics", "Docs", "Auth", "Users", "Catalog", "Uploads", "Mail", "HTTPClient",
                "Idempotency", "Audit", "Webhooks", "Coupons", "Cart", "Orders", "Payments", "Inventory", "Demo",
            ]),
        module("Pool", ["App", "FastCGI", "HTTP", "Crypto", "Scoreboard", "CSystem"]),

        .executableTarget(
            name: "CommerceFCGI",
            dependencies: [
                "Pool", "App", "Core", "Postgres", "Redis", "Crypto", "FastCGI", "Scoreboard", "HTTP", "CSystem", "Auth", "Mail", "HTTPClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/CommerceFCGI"),

        .testTarget(name: "InventoryTests", dependencies: ["Inventory", "Core"], path: "Tests/InventoryTests"),
        .testTarget(name: "CoreTests", dependencies: ["Core"], path: "Tests/CoreTests"),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "Core"], path: "Tests/PostgresTests"),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "Core"], path: "Tests/HTTPTests"),
        .testTarget(name: "AuthTests", dependencies: ["Auth", "JWT", "Crypto", "HTTP", "Mail"], path: "Tests/AuthTests"),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "Uploads", "HTTP", "Postgres"], path: "Tests/CatalogTests"),
        .testTarget(name: "AppTests", dependencies: ["App", "Core", "Docs", "Postgres", "Payments"], path: "Tests/AppTests"),
        .testTarget(name: "OrdersTests", dependencies: ["Orders", "Cart", "Coupons", "Idempotency", "Users", "HTTP", "Postgres"], path: "Tests/OrdersTests"),
        .testTarget(name: "PaymentsTests", dependencies: ["Payments", "HTTP"], path: "Tests/PaymentsTests"),
        .testTarget(name: "FastCGITests", dependencies: ["FastCGI", "Core"], path: "Tests/FastCGITests"),
        .testTarget(name: "WebhooksTests", dependencies: ["Webhooks", "Crypto"], path: "Tests/WebhooksTests"),
        .testTarget(name: "RedisTests", dependencies: ["Redis"], path: "Tests/RedisTests"),
        .testTarget(name: "PoolTests", dependencies: ["Pool", "Scoreboard"], path: "Tests/PoolTests"),
        .testTarget(name: "ScoreboardTests", dependencies: ["Scoreboard", "Metrics"], path: "Tests/ScoreboardTests"),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["HTTPClient", "HTTP", "Postgres", "Redis", "Crypto", "Catalog", "Inventory", "Orders"],
            path: "Tests/EndToEndTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)
