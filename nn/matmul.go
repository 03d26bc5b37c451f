package nn

// Serial matrix products of one sample's small matrices, row-major, with
// the package's axpy (AVX where the CPU has it) and dot: unlike gonum's
// Sgemm, which starts goroutines for large products, they keep a sample's
// work on its worker, and allocate nothing. Each output sums its terms in
// ascending order of the inner index, skipping zero terms of a in mulAdd
// and mulAddTransA, as gonum's serial Sgemm does.

// mulAdd computes c += a·b, with a m×k, b k×n and c m×n.
func mulAdd(c, a, b []float32, m, k, n int) {
	for r := range m {
		cr := c[r*n : (r+1)*n]
		for i, v := range a[r*k : (r+1)*k] {
			if v != 0 {
				axpy(v, b[i*n:(i+1)*n], cr)
			}
		}
	}
}

// mulAddTransA computes c += aᵀ·b, with a m×k, b m×n and c k×n.
func mulAddTransA(c, a, b []float32, m, k, n int) {
	for r := range m {
		br := b[r*n : (r+1)*n]
		for i, v := range a[r*k : (r+1)*k] {
			if v != 0 {
				axpy(v, br, c[i*n:(i+1)*n])
			}
		}
	}
}

// mulAddTransB computes c += a·bᵀ, with a m×k, b n×k and c m×n.
func mulAddTransB(c, a, b []float32, m, k, n int) {
	for r := range m {
		ar, cr := a[r*k:(r+1)*k], c[r*n:(r+1)*n]
		for j := range cr {
			cr[j] += dot(ar, b[j*k:(j+1)*k])
		}
	}
}
