package stripetest

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// form reads a request's parameters in Stripe's encoding, the "Rack-style"
// nesting stripe-mock assembles (param/nestedtypeassembler in
// github.com/stripe/stripe-mock) and Stripe's SDKs write: scalars as
// name=value, lists as name[0]=a&name[1]=b or name[]=a&name[]=b,
// dictionaries as name[key]=value, nested as name[card][cvc_token]=… .
// Values are strings on the wire; booleans and integers are read as
// stripe-mock's coercer reads them (param/coercer: strconv.ParseBool,
// strconv.Atoi). It remembers which parameters were read, so that the
// rest can be refused as unknown, as Stripe refuses them
// (parameter_unknown, docs.stripe.com/error-codes).
type form struct {
	v    url.Values
	used map[string]bool
}

func newForm(v url.Values) *form { return &form{v: v, used: make(map[string]bool, len(v))} }

// has reports whether name was sent.
func (f *form) has(name string) bool {
	_, ok := f.v[name]
	return ok
}

// hasUnder reports whether name, or anything nested under it, was sent.
func (f *form) hasUnder(name string) bool {
	for k := range f.v {
		if k == name || strings.HasPrefix(k, name+"[") {
			return true
		}
	}
	return false
}

// str returns the value of name, "" when absent.
func (f *form) str(name string) string {
	f.used[name] = true
	return f.v.Get(name)
}

// int returns name as an integer; absent is 0 and false.
func (f *form) int(name string) (int64, bool, error) {
	if !f.has(name) {
		return 0, false, nil
	}
	s := f.str(name)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false, &requestError{status: http.StatusBadRequest, code: "parameter_invalid_integer", param: name, msg: "Invalid integer: " + s}
	}
	return n, true, nil
}

// bool returns name as a boolean; absent or empty is false. Besides
// true and false it takes what strconv.ParseBool takes, as stripe-mock
// does: Python's SDKs send True and False (str of a Python bool), and
// Stripe accepts them.
func (f *form) bool(name string) (bool, error) {
	if !f.has(name) {
		return false, nil
	}
	s := f.str(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, &requestError{status: http.StatusBadRequest, code: "parameter_invalid", param: name, msg: "Invalid boolean: " + s}
	}
	return b, nil
}

// accept marks the parameters names, and everything nested under them
// (name[…]…), as read: parameters Stripe takes that the fake does not
// model (notModelled).
func (f *form) accept(names ...string) {
	for k := range f.v {
		for _, n := range names {
			if k == n || strings.HasPrefix(k, n+"[") {
				f.used[k] = true
			}
		}
	}
}

// list returns the values of name[0], name[1], … (in index order) and of
// name[].
func (f *form) list(name string) []string {
	type item struct {
		i int
		v string
	}
	var items []item
	prefix := name + "["
	for k, vs := range f.v {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok || !strings.HasSuffix(rest, "]") {
			continue
		}
		idx := strings.TrimSuffix(rest, "]")
		i := -1
		if idx != "" {
			n, err := strconv.Atoi(idx)
			if err != nil || n < 0 {
				continue // not a list item: left unread, refused as unknown
			}
			i = n
		}
		f.used[k] = true
		for _, v := range vs {
			items = append(items, item{i, v})
		}
	}
	sort.SliceStable(items, func(a, b int) bool { return items[a].i < items[b].i })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

// dict returns name[key]=value pairs (one level).
func (f *form) dict(name string) map[string]string {
	prefix := name + "["
	var out map[string]string
	for k := range f.v {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok || !strings.HasSuffix(rest, "]") || strings.ContainsAny(strings.TrimSuffix(rest, "]"), "[]") {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		f.used[k] = true
		out[strings.TrimSuffix(rest, "]")] = f.v.Get(k)
	}
	return out
}

// unknown returns the first parameter (in sorted order) that was sent and
// not read, or "".
func (f *form) unknown() string {
	var names []string
	for k := range f.v {
		if !f.used[k] {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	return names[0]
}

// done refuses the parameters nobody read.
func (f *form) done() error {
	if n := f.unknown(); n != "" {
		return unknownParam(n)
	}
	return nil
}

// expand reads expand[] and reports whether it asks for field; any other
// expansion is refused, as the fake has nothing else to expand (field ""
// refuses every expansion).
func (f *form) expand(field string) (bool, error) {
	want := false
	for _, e := range f.list("expand") {
		if e != field {
			return false, &requestError{status: http.StatusBadRequest, param: "expand",
				msg: "This property cannot be expanded (" + e + "). The stripetest server expands only " + field + "."}
		}
		want = true
	}
	return want, nil
}

// offSession reads off_session, which Stripe accepts as a boolean or as
// "one_off" / "recurring" (both off-session).
func (f *form) offSession() (bool, error) {
	switch f.v.Get("off_session") {
	case "one_off", "recurring":
		f.used["off_session"] = true
		return true, nil
	}
	return f.bool("off_session")
}
