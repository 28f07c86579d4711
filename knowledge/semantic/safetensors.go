package semantic

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// A safetensors file is an 8-byte little-endian header length, a JSON
// header {"name": {"dtype","shape","data_offsets":[begin,end]}, ...,
// "__metadata__": {...}}, then the tensors' bytes, offsets relative to the
// end of the header. We read only what a Model2Vec model holds.

type tensorInfo struct {
	DType   string   `json:"dtype"`
	Shape   []int64  `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

const maxSafetensorsHeader = 100 << 20

// readSafetensorsHeader returns the tensors' descriptions and where the
// data starts.
func readSafetensorsHeader(r io.Reader) (map[string]tensorInfo, int64, error) {
	var n uint64
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, 0, fmt.Errorf("read header length: %w", err)
	}
	if n == 0 || n > maxSafetensorsHeader {
		return nil, 0, fmt.Errorf("header length %d out of range", n)
	}
	hdr := make([]byte, n)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, 0, fmt.Errorf("read header: %w", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &raw); err != nil {
		return nil, 0, fmt.Errorf("parse header: %w", err)
	}
	out := make(map[string]tensorInfo, len(raw))
	for name, msg := range raw {
		if name == "__metadata__" {
			continue
		}
		var ti tensorInfo
		if err := json.Unmarshal(msg, &ti); err != nil {
			return nil, 0, fmt.Errorf("tensor %q: %w", name, err)
		}
		if ti.Offsets[1] < ti.Offsets[0] || ti.Offsets[0] < 0 {
			return nil, 0, fmt.Errorf("tensor %q: bad offsets %v", name, ti.Offsets)
		}
		want := elemSize(ti.DType)
		if want == 0 {
			out[name] = ti // unknown dtype: fine unless asked for
			continue
		}
		count := int64(1)
		for _, d := range ti.Shape {
			count *= d
		}
		if count*want != ti.Offsets[1]-ti.Offsets[0] {
			return nil, 0, fmt.Errorf("tensor %q: shape %v of %s needs %d bytes, offsets give %d", name, ti.Shape, ti.DType, count*want, ti.Offsets[1]-ti.Offsets[0])
		}
		out[name] = ti
	}
	return out, 8 + int64(n), nil
}

func elemSize(dtype string) int64 {
	switch dtype {
	case "F64", "I64":
		return 8
	case "F32", "I32":
		return 4
	case "F16", "BF16", "I16":
		return 2
	case "I8", "U8":
		return 1
	}
	return 0
}

var errNoTensor = errors.New("no such tensor")

// safetensorsFile reads named tensors from one file, converting to float32
// (F32, F16, BF16, F64) or int64 (I64, I32) as it streams.
type safetensorsFile struct {
	f       *os.File
	tensors map[string]tensorInfo
	data    int64
}

func openSafetensors(path string) (*safetensorsFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	tensors, data, err := readSafetensorsHeader(bufio.NewReader(io.LimitReader(f, maxSafetensorsHeader+8)))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &safetensorsFile{f: f, tensors: tensors, data: data}, nil
}

func (s *safetensorsFile) Close() error { return s.f.Close() }

func (s *safetensorsFile) names() []string {
	out := make([]string, 0, len(s.tensors))
	for n := range s.tensors {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (s *safetensorsFile) section(name string) (tensorInfo, *bufio.Reader, error) {
	ti, ok := s.tensors[name]
	if !ok {
		return ti, nil, fmt.Errorf("tensor %q: %w", name, errNoTensor)
	}
	r := io.NewSectionReader(s.f, s.data+ti.Offsets[0], ti.Offsets[1]-ti.Offsets[0])
	return ti, bufio.NewReaderSize(r, 1<<20), nil
}

// floats reads a floating tensor as float32, with its shape.
func (s *safetensorsFile) floats(name string) ([]float32, []int64, error) {
	ti, r, err := s.section(name)
	if err != nil {
		return nil, nil, err
	}
	n := (ti.Offsets[1] - ti.Offsets[0]) / max(elemSize(ti.DType), 1)
	out := make([]float32, n)
	var buf [8]byte
	for i := range out {
		switch ti.DType {
		case "F32":
			_, err = io.ReadFull(r, buf[:4])
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[:4]))
		case "F16":
			_, err = io.ReadFull(r, buf[:2])
			out[i] = halfToFloat32(binary.LittleEndian.Uint16(buf[:2]))
		case "BF16":
			_, err = io.ReadFull(r, buf[:2])
			out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(buf[:2])) << 16)
		case "F64":
			_, err = io.ReadFull(r, buf[:8])
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(buf[:8])))
		default:
			return nil, nil, fmt.Errorf("tensor %q: dtype %s is not a float type this loader reads", name, ti.DType)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("tensor %q: %w", name, err)
		}
	}
	return out, ti.Shape, nil
}

// ints reads an integer tensor as int64.
func (s *safetensorsFile) ints(name string) ([]int64, []int64, error) {
	ti, r, err := s.section(name)
	if err != nil {
		return nil, nil, err
	}
	n := (ti.Offsets[1] - ti.Offsets[0]) / max(elemSize(ti.DType), 1)
	out := make([]int64, n)
	var buf [8]byte
	for i := range out {
		switch ti.DType {
		case "I64":
			_, err = io.ReadFull(r, buf[:8])
			out[i] = int64(binary.LittleEndian.Uint64(buf[:8]))
		case "I32":
			_, err = io.ReadFull(r, buf[:4])
			out[i] = int64(int32(binary.LittleEndian.Uint32(buf[:4])))
		default:
			return nil, nil, fmt.Errorf("tensor %q: dtype %s is not an integer type this loader reads", name, ti.DType)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("tensor %q: %w", name, err)
		}
	}
	return out, ti.Shape, nil
}

// halfToFloat32 converts an IEEE 754 binary16 to float32.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal
		return math.Float32frombits(sign) + float32(math.Copysign(float64(frac)*math.Pow(2, -24), sgn(sign)))
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
}

func sgn(sign uint32) float64 {
	if sign != 0 {
		return -1
	}
	return 1
}
