module github.com/cardconfirm/cardconfirm/examples/server/browsertest

// Its own module so that chromedp stays out of the root module's go.mod:
// the library's users never download a browser driver. It does not import
// the root module; it builds the example with `go build` and drives the
// binary over HTTP. chromedp v0.23.0 needs Go 1.25.
go 1.25.0

require (
	github.com/chromedp/cdproto v0.159.0
	github.com/chromedp/chromedp v0.23.0
)

require github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
