//go:build ignore

// Command exports counts the exported identifiers of every package of the
// root module, as `go doc -all` lists them: constants, variables,
// functions, types and their methods ("decls"), and separately the
// exported fields of exported structs and the methods of exported
// interfaces ("members"). Test files and main packages are left out.
//
// Run from the repository root:
//
//	go run scripts/exports.go
package main

import (
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"strings"
	"text/tabwriter"
)

func main() {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{.Dir}} {{.Name}}", "./...").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "exports: go list:", err)
		os.Exit(1)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "package\tdecls\tmembers\ttotal\t")
	var sumDecls, sumMembers int
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		path, dir, name := f[0], f[1], f[2]
		if name == "main" {
			continue
		}
		decls, members, err := count(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "exports:", path+":", err)
			os.Exit(1)
		}
		if decls+members == 0 {
			continue
		}
		sumDecls += decls
		sumMembers += members
		short := strings.TrimPrefix(path, "github.com/cardconfirm/cardconfirm/")
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t\n", short, decls, members, decls+members)
	}
	fmt.Fprintf(w, "all\t%d\t%d\t%d\t\n", sumDecls, sumMembers, sumDecls+sumMembers)
	w.Flush()
}

// count parses the package in dir without its tests and counts what go
// doc shows of it.
func count(dir string) (decls, members int, err error) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.ParseComments)
	if err != nil {
		return 0, 0, err
	}
	for _, p := range pkgs {
		var files []*ast.File
		for _, f := range p.Files {
			files = append(files, f)
		}
		d, err := doc.NewFromFiles(fset, files, "x")
		if err != nil {
			return 0, 0, err
		}
		values := func(vs []*doc.Value) (n int) {
			for _, v := range vs {
				for _, name := range v.Names {
					if ast.IsExported(name) {
						n++
					}
				}
			}
			return n
		}
		decls += values(d.Consts) + values(d.Vars) + len(d.Funcs)
		for _, t := range d.Types {
			decls += 1 + values(t.Consts) + values(t.Vars) + len(t.Funcs) + len(t.Methods)
			members += typeMembers(t.Decl)
		}
	}
	return decls, members, nil
}

// typeMembers counts the exported fields of a struct type and the exported
// methods of an interface type.
func typeMembers(decl *ast.GenDecl) (n int) {
	for _, spec := range decl.Specs {
		ts, ok := spec.(*ast.TypeSpec)
		if !ok || !ts.Name.IsExported() {
			continue
		}
		var fields *ast.FieldList
		switch t := ts.Type.(type) {
		case *ast.StructType:
			fields = t.Fields
		case *ast.InterfaceType:
			fields = t.Methods
		}
		if fields == nil {
			continue
		}
		for _, f := range fields.List {
			if len(f.Names) == 0 { // embedded
				if id := embeddedName(f.Type); id != "" && ast.IsExported(id) {
					n++
				}
				continue
			}
			for _, name := range f.Names {
				if name.IsExported() {
					n++
				}
			}
		}
	}
	return n
}

func embeddedName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.StarExpr:
		return embeddedName(t.X)
	case *ast.SelectorExpr:
		return t.Sel.Name
	}
	return ""
}
