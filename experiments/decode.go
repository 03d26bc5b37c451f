package experiments

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// KeyError is an error in the value of one config key.
type KeyError struct {
	// Key is the full YAML key, e.g. "autoencoder-group.group.size" or
	// "autoencoder-adversarial.sets[2].attack.eps".
	Key string
	// Line is the line of the value in the file; 0 when unknown (errors
	// found after decoding, which compare keys with each other).
	Line int
	Msg  string
}

func (e *KeyError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Key, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Key, e.Msg)
}

// keyErr returns a *KeyError for key without a line.
func keyErr(key, format string, args ...any) error {
	return &KeyError{Key: key, Msg: fmt.Sprintf(format, args...)}
}

// nodeErr returns a *KeyError for key at the line of n.
func nodeErr(n *yaml.Node, key, format string, args ...any) error {
	return &KeyError{Key: key, Line: n.Line, Msg: fmt.Sprintf(format, args...)}
}

// nodeDecoder is implemented by types that decode themselves from a node
// (Layers); key names the node in errors.
type nodeDecoder interface {
	decodeNode(n *yaml.Node, key string, d *decoder) error
}

// decoder decodes yaml nodes into Go values strictly: every key of a
// mapping must name a field (by its yaml tag; ",inline" embeds a struct's
// fields), a key may appear once, an integer field takes integers only
// (1.9 is an error, not 1), an unsigned one no negative number, a fixed
// array exactly its length of values, and the fields tagged
// `cfg:"required"` must be present. Errors are *KeyError values naming the
// full key and its line, the first in the file's order. String fields
// tagged `cfg:"path"` are resolved with resolve as they are decoded.
type decoder struct {
	resolve func(key, p string) string
}

// decode decodes n into the value v points to, naming n key in errors; a
// nil n leaves v as it is.
func (d *decoder) decode(n *yaml.Node, key string, v any) error {
	if n == nil {
		return nil
	}
	return d.value(n, key, reflect.ValueOf(v).Elem())
}

// value decodes n into v, which must be settable.
func (d *decoder) value(n *yaml.Node, key string, v reflect.Value) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if v.CanAddr() {
		if nd, ok := v.Addr().Interface().(nodeDecoder); ok {
			return nd.decodeNode(n, key, d)
		}
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		v.SetZero() // "key:" or "key: ~": left out
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if err := d.value(n, key, p.Elem()); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.Struct:
		return d.structValue(n, key, v)
	case reflect.Map:
		return d.mapValue(n, key, v)
	case reflect.Slice, reflect.Array:
		return d.seqValue(n, key, v)
	}
	return d.scalar(n, key, v)
}

// fieldInfo is a struct field as the decoder sees it.
type fieldInfo struct {
	index          []int
	required, path bool
}

// fields returns the fields of struct type t by yaml key, with those of
// inline structs, and the keys in declaration order.
func fields(t reflect.Type) (map[string]fieldInfo, []string) {
	byKey := map[string]fieldInfo{}
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if opts == "inline" && f.Anonymous {
			// The exported fields of an embedded struct, exported or not.
			sub, subKeys := fields(f.Type)
			for _, k := range subKeys {
				fi := sub[k]
				fi.index = append([]int{i}, fi.index...)
				byKey[k] = fi
			}
			keys = append(keys, subKeys...)
			continue
		}
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		cfg := strings.Split(f.Tag.Get("cfg"), ",")
		byKey[name] = fieldInfo{index: []int{i}, required: slices.Contains(cfg, "required"), path: slices.Contains(cfg, "path")}
		keys = append(keys, name)
	}
	return byKey, keys
}

// sub returns the key of child under key.
func sub(key, child string) string {
	if key == "" {
		return child
	}
	return key + "." + child
}

// structValue decodes the mapping n into the struct v.
func (d *decoder) structValue(n *yaml.Node, key string, v reflect.Value) error {
	if n.Kind != yaml.MappingNode {
		return nodeErr(n, key, "must be a mapping (keys %s), got %s", strings.Join(fieldKeys(v.Type()), ", "), describe(n))
	}
	byKey, keys := fields(v.Type())
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		f, ok := byKey[k.Value]
		switch {
		case !ok:
			return nodeErr(k, sub(key, k.Value), "unknown key (known: %s)", strings.Join(keys, ", "))
		case seen[k.Value]:
			return nodeErr(k, sub(key, k.Value), "given twice")
		}
		seen[k.Value] = true
		fv := v.FieldByIndex(f.index)
		if err := d.value(val, sub(key, k.Value), fv); err != nil {
			return err
		}
		if f.path {
			d.resolvePaths(sub(key, k.Value), fv)
		}
	}
	for _, k := range keys {
		if byKey[k].required && !seen[k] {
			return nodeErr(n, sub(key, k), "is required")
		}
	}
	return nil
}

// resolvePaths resolves the paths v holds: a string, or the values of a
// map of strings.
func (d *decoder) resolvePaths(key string, v reflect.Value) {
	switch {
	case v.Kind() == reflect.String:
		v.SetString(d.resolve(key, v.String()))
	case v.Kind() == reflect.Map && v.Type().Elem().Kind() == reflect.String:
		for _, k := range v.MapKeys() {
			v.SetMapIndex(k, reflect.ValueOf(d.resolve(sub(key, k.String()), v.MapIndex(k).String())).Convert(v.Type().Elem()))
		}
	default:
		panic(fmt.Sprintf("experiments: config field %s tagged path is a %v", key, v.Type()))
	}
}

// fieldKeys returns the yaml keys of struct type t.
func fieldKeys(t reflect.Type) []string {
	_, keys := fields(t)
	return keys
}

// mapValue decodes the mapping n into the map v, whose keys are strings.
func (d *decoder) mapValue(n *yaml.Node, key string, v reflect.Value) error {
	if n.Kind != yaml.MappingNode {
		return nodeErr(n, key, "must be a mapping, got %s", describe(n))
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!null" {
			return nodeErr(k, key, "keys must be names, got %s", describe(k))
		}
		if m.MapIndex(reflect.ValueOf(k.Value)).IsValid() {
			return nodeErr(k, sub(key, k.Value), "given twice")
		}
		e := reflect.New(v.Type().Elem()).Elem()
		if err := d.value(val, sub(key, k.Value), e); err != nil {
			return err
		}
		m.SetMapIndex(reflect.ValueOf(k.Value), e)
	}
	v.Set(m)
	return nil
}

// seqValue decodes the sequence n into the slice or array v.
func (d *decoder) seqValue(n *yaml.Node, key string, v reflect.Value) error {
	if n.Kind != yaml.SequenceNode {
		return nodeErr(n, key, "must be a list, got %s", describe(n))
	}
	if v.Kind() == reflect.Array {
		if len(n.Content) != v.Len() {
			return nodeErr(n, key, "must be a list of %d values, got %d", v.Len(), len(n.Content))
		}
	} else {
		v.Set(reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content)))
	}
	for i, e := range n.Content {
		if err := d.value(e, fmt.Sprintf("%s[%d]", key, i), v.Index(i)); err != nil {
			return err
		}
	}
	return nil
}

// scalar decodes the scalar n into the string, bool, integer or float v.
func (d *decoder) scalar(n *yaml.Node, key string, v reflect.Value) error {
	if n.Kind != yaml.ScalarNode {
		return nodeErr(n, key, "must be a single value, got %s", describe(n))
	}
	tag := n.ShortTag()
	switch v.Kind() {
	case reflect.String:
		v.SetString(n.Value)
		return nil
	case reflect.Bool:
		var b bool
		if tag != "!!bool" || n.Decode(&b) != nil {
			return nodeErr(n, key, "%s is not true or false", n.Value)
		}
		v.SetBool(b)
		return nil
	case reflect.Int, reflect.Int64, reflect.Int32:
		var i int64
		if tag != "!!int" || n.Decode(&i) != nil || v.OverflowInt(i) {
			return nodeErr(n, key, "%s is not an integer", n.Value)
		}
		v.SetInt(i)
		return nil
	case reflect.Uint64, reflect.Uint:
		var u uint64
		var i int64
		switch {
		case tag == "!!int" && n.Decode(&u) == nil:
			v.SetUint(u)
			return nil
		case tag == "!!int" && n.Decode(&i) == nil && i < 0:
			return nodeErr(n, key, "must be ≥ 0, got %d", i)
		}
		return nodeErr(n, key, "%s is not an integer", n.Value)
	case reflect.Float64, reflect.Float32:
		var f float64
		if (tag != "!!float" && tag != "!!int") || n.Decode(&f) != nil {
			return nodeErr(n, key, "%s is not a number", n.Value)
		}
		if v.Kind() == reflect.Float32 && !math.IsInf(f, 0) && math.Abs(f) > math.MaxFloat32 {
			return nodeErr(n, key, "%s is out of range", n.Value)
		}
		v.SetFloat(f)
		return nil
	}
	panic(fmt.Sprintf("experiments: config field %s of unsupported type %v", key, v.Type()))
}

// describe names the kind of node n for errors.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

// mappingKeys returns the keys of the mapping at path below n (a mapping
// node), in the file's order; nil when there is none.
func mappingKeys(n *yaml.Node, path ...string) []string {
	for _, p := range path {
		n = mappingValue(n, p)
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var keys []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i].Value)
	}
	return keys
}

// mappingValue returns the value of key in the mapping n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			v := n.Content[i+1]
			if v.Kind == yaml.AliasNode {
				v = v.Alias
			}
			return v
		}
	}
	return nil
}
