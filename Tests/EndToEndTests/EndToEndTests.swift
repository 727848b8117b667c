import Testing

/// Every end-to-end test goes through nginx and the real FastCGI pool that `make test`
/// started. They run one at a time: some stop PostgreSQL or Redis, or signal the pool.
@Suite(.serialized) struct EndToEndTests {}
