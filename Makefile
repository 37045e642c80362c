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

# netlify: the flagship as the function "api", and every other function
# (see functions).
netlify: functions
	$(GOFLAGS_LAMBDA) go build -tags lambda.norpc -trimpath -ldflags="$(LDFLAGS)" -o $(FUNCTIONS_DIR)/api .

# functions: every main package under netlify/functions/ (Netlify builds
# these from source itself; building them here fails the deploy early on a
# broken one) and the AWS-only authorizer pair, as dist/functions/NAME/bootstrap.
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
	rm -f $(FUNCTIONS_DIR)/api
	rm -rf $(BUILD_DIR)
