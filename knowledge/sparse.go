package knowledge

import (
	"fmt"
	"io/fs"
	"slices"
	"testing/fstest"

	"go.yaml.in/yaml/v3"
)

// sparseKeys are the entry fields a sparse KB keeps.
var sparseKeys = []string{"id", "category", "action", "title", "answer", "examples"}

// Sparse returns the KB of fsys cut to the shape of a shop's own FAQ on day
// one: per entry its id, category, action, title, answer and the first
// examples examples per language as written (the other Chinese variant is
// still converted at load). Quick replies, links and synonym groups are
// left out; greeting topics are kept. The cut is deterministic: the same
// files give the same sparse KB. The result is an in-memory file tree of
// the same *.yaml names, for Load or to write out.
func Sparse(fsys fs.FS, examples int) (fs.FS, error) {
	if examples < 1 {
		return nil, fmt.Errorf("sparse knowledge base: %d examples per language, want at least 1", examples)
	}
	files, err := yamlFiles(fsys)
	if err != nil {
		return nil, fmt.Errorf("sparse knowledge base: %w", err)
	}
	out := fstest.MapFS{}
	for _, name := range files {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("sparse knowledge base: %w", err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("sparse knowledge base: %s: %w", name, err)
		}
		if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			out[name] = &fstest.MapFile{Data: data} // Load reports what is wrong
			continue
		}
		root := keepKeys(doc.Content[0], []string{"entries", "greeting_topics"})
		if len(root.Content) == 0 {
			continue // a synonyms file
		}
		if list := childNode(root, "entries"); list != nil && list.Kind == yaml.SequenceNode {
			for i, e := range list.Content {
				if e.Kind != yaml.MappingNode {
					continue
				}
				e = keepKeys(e, sparseKeys)
				if ex := childNode(e, "examples"); ex != nil && ex.Kind == yaml.MappingNode {
					for k := 1; k < len(ex.Content); k += 2 {
						if qs := ex.Content[k]; qs.Kind == yaml.SequenceNode {
							qs.Content = qs.Content[:min(examples, len(qs.Content))]
						}
					}
				}
				list.Content[i] = e
			}
		}
		sparse, err := yaml.Marshal(root)
		if err != nil {
			return nil, fmt.Errorf("sparse knowledge base: %s: %w", name, err)
		}
		out[name] = &fstest.MapFile{Data: sparse, Mode: 0o644}
	}
	return out, nil
}

// keepKeys returns a copy of mapping n with only the given keys, in n's
// order.
func keepKeys(n *yaml.Node, keys []string) *yaml.Node {
	c := *n
	c.Content = nil
	for i := 0; i+1 < len(n.Content); i += 2 {
		if slices.Contains(keys, n.Content[i].Value) {
			c.Content = append(c.Content, n.Content[i], n.Content[i+1])
		}
	}
	return &c
}

// SparseName is how the evaluation page names kb cut by Sparse.
func SparseName(kb string, examples int) string {
	return fmt.Sprintf("%s, sparse (%d examples)", kb, examples)
}
