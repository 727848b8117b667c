import App

/// `seed-demo [--products N]`: the demo catalog, loaded once (nothing happens when products
/// exist). `make run` calls it on first start; `make bench` loads 100,000 products.
enum SeedDemoCommand {
    static func run(options: Options, environment: [String: String]) throws -> Int32 {
        let count =
            try options["products"].map { text in
                guard let n = Int(text), (0...2_000_000).contains(n) else { throw Options.UsageError(description: "--products must be 0…2000000") }
                return n
            } ?? 300
        let configuration = try Configuration.load(environment)
        let context = CommandContext(configuration: configuration, name: "seed-demo")
        guard let outcome = try SeedDemo.run(products: count, context: context) else {
            print("seed-demo: the catalog already has products; nothing loaded")
            return 0
        }
        print("seed-demo: \(outcome.categories) categories, \(outcome.products) products, \(outcome.images) images, \(outcome.coupons) coupons")
        return 0
    }
}
