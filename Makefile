# Builds the Lambda / Netlify functions the way Netlify runs them:
# linux/amd64, static, no RPC shim (provided.al2 runs the binary as bootstrap).
GOFLAGS_LAMBDA := GOOS=linux GOARCH=amd64 CGO_ENABLED=0
LDFLAGS := -s -w
FUNCTIONS_DIR := netlify/functions

.PHONY: run test netlify clean

run:
	go run .

test:
	scripts/test.sh

# netlify: the flagship as the function "api".
netlify:
	$(GOFLAGS_LAMBDA) go build -tags lambda.norpc -trimpath -ldflags="$(LDFLAGS)" -o $(FUNCTIONS_DIR)/api .

clean:
	rm -f $(FUNCTIONS_DIR)/api
