package stripetest

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// form reads a request's parameters in Stripe's encoding: scalars as
// name=value, lists as name[0]=a&name[1]=b (or name[]=a), dictionaries as
// name[key]=value, nested as name[card][cvc_token]=… . It remembers which
// parameters were read, so that the rest can be refused as unknown.
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

// bool returns name as a boolean; absent is false.
func (f *form) bool(name string) (bool, error) {
	if !f.has(name) {
		return false, nil
	}
	switch s := f.str(name); s {
	case "true":
		return true, nil
	case "false", "":
		return false, nil
	default:
		return false, &requestError{status: http.StatusBadRequest, code: "parameter_invalid", param: name, msg: "Invalid boolean: " + s}
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
// expansion is refused, as the fake has nothing else to expand.
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
