package proof_test

import "testing"

// TestExplorerFindsNothing runs every suite to its bound (-explore.depth
// overrides it; -explore.suite picks one) and fails with the shortest
// sequence of each class of broken check it finds.
func TestExplorerFindsNothing(t *testing.T) {
	for _, s := range suites() {
		if *exploreSuite != "" && s.name != *exploreSuite {
			continue
		}
		depth := s.depth
		if *exploreDepth > 0 {
			depth = *exploreDepth
		}
		t.Run(s.name, func(t *testing.T) {
			explore(s, depth).report(t, s)
		})
	}
}
