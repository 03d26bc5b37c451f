//go:build !linux

package data

// MapNPY reads the array of a .npy file with ReadNPY: memory maps are used
// on Linux only. release sets Data to nil.
func MapNPY(path string) (a *Array, release func() error, err error) {
	a, err = ReadNPY(path)
	if err != nil {
		return nil, nil, err
	}
	return a, a.forget, nil
}
