# The two commands of README.md, and the few around them.
.PHONY: run run-detached stop test bench build deb clean-state

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

build:
	swift build -c release --product commerce-fcgi

deb:            ## commerce-fcgi_<version>_<arch>.deb in .build-deb/ (dpkg-deb, no network)
	@scripts/deb.sh

clean-state:    ## forget local databases and logs (stop first)
	rm -rf .state
