# Builds the Lambda / Netlify functions the way Netlify runs them:
# linux/amd64, static, no RPC shim (provided.al2 runs the binary as bootstrap).
GOFLAGS_LAMBDA := GOOS=linux GOARCH=amd64 CGO_ENABLED=0
LDFLAGS := -s -w
FUNCTIONS_DIR := netlify/functions

.PHONY: run test netlify functions clean

run:
	go run .

test:
	scripts/test.sh

# netlify: what Netlify deploys, every function the flagship "api" included
# (see functions). Netlify itself builds them from source; this is the same
# build, for a check before pushing.
netlify: functions

# functions: every main package under netlify/functions/, the flagship "api"
# included (Netlify builds these from source itself), and the AWS-only
# authorizer pair, as dist/functions/NAME/bootstrap: the files to zip for
# plain AWS Lambda.
BUILD_DIR := dist/functions
GO_FUNCTIONS = $(patsubst %/main.go,%,$(wildcard $(FUNCTIONS_DIR)/*/main.go)) \
	strategies/authorizer/cmd/authorizer strategies/authorizer/cmd/authorized

functions:
	@set -e; for pkg in $(GO_FUNCTIONS); do \
		echo "go build ./$$pkg"; \
		$(GOFLAGS_LAMBDA) go build -tags lambda.norpc -trimpath -ldflags="$(LDFLAGS)" -o $(BUILD_DIR)/$$(basename $$pkg)/bootstrap ./$$pkg; \
	done

# `sam build` (template.yaml, BuildMethod: makefile) runs build-<LogicalId>
# and deploys $(ARTIFACTS_DIR)/bootstrap.
sam_build = $(GOFLAGS_LAMBDA) go build -tags lambda.norpc -trimpath -ldflags="$(LDFLAGS)" -o $(ARTIFACTS_DIR)/bootstrap $(1)
build-InlineFunction:
	$(call sam_build,./netlify/functions/inline)
build-MiddlewareFunction:
	$(call sam_build,./netlify/functions/middleware)
build-DecoratorFunction:
	$(call sam_build,./netlify/functions/decorator)
build-AuthorizerFunction:
	$(call sam_build,./strategies/authorizer/cmd/authorizer)
build-AuthorizedFunction:
	$(call sam_build,./strategies/authorizer/cmd/authorized)

clean:
	rm -rf $(BUILD_DIR)
