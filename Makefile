# The two commands of README.md, and the few around them.
.PHONY: run run-detached stop test bench build deb clean-state cluster cluster-stop test-cluster bench-cluster

run:            ## the whole stack on this machine, in the foreground (Ctrl-C stops it)
	@scripts/run.sh

run-detached:   ## the same, returning once it answers
	@scripts/run.sh --detached

stop:           ## stop what run-detached started
	@scripts/down.sh

test:           ## unit and end-to-end tests against a private stack
	@scripts/test.sh

bench:          ## load scenarios through nginx, with their ceilings measured in the same run
	@scripts/bench.sh

cluster:        ## front, two app hosts, PostgreSQL primary and standby, Redis: each in a network namespace
	@scripts/cluster.sh up

cluster-stop:   ## tear down what `make cluster` made (namespaces included)
	@scripts/cluster.sh down

test-cluster:   ## the cluster tests, on a fresh cluster (run by CI after `make test`)
	@scripts/cluster.sh test

bench-cluster:  ## catalog reads through the front with one and with two app hosts
	@scripts/cluster.sh bench

build:          ## the release binary, Swift's standard library linked in (as the package ships it)
	swift build -c release --static-swift-stdlib --product commerce-fcgi

deb:            ## commerce-fcgi_<version>_<arch>.deb in .build-deb/ (dpkg-deb, no network)
	@scripts/deb.sh

clean-state:    ## forget local databases and logs (stop first)
	rm -rf .state
