#include "textflag.h"

// func streamCopyNT(dst, src []float64)
// Copies len(src) values with non-temporal stores (MOVNTI): the ranges are
// written once and read back much later, so they should not push the
// working set out of the cache, nor be read in before being overwritten.
TEXT ·streamCopyNT(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	CMPQ CX, $4
	JLT  tail

loop4:
	MOVQ    (SI), AX
	MOVQ    8(SI), BX
	MOVQ    16(SI), DX
	MOVQ    24(SI), R8
	MOVNTIQ AX, (DI)
	MOVNTIQ BX, 8(DI)
	MOVNTIQ DX, 16(DI)
	MOVNTIQ R8, 24(DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $4, CX
	CMPQ    CX, $4
	JGE     loop4

tail:
	TESTQ CX, CX
	JEQ   done

loop1:
	MOVQ    (SI), AX
	MOVNTIQ AX, (DI)
	ADDQ    $8, SI
	ADDQ    $8, DI
	DECQ    CX
	JNZ     loop1

done:
	RET

// func storeFence()
TEXT ·storeFence(SB), NOSPLIT, $0-0
	SFENCE
	RET

// func streamCopy32NT(dst, src []uint32)
TEXT ·streamCopy32NT(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	CMPQ CX, $4
	JLT  tail

loop4:
	MOVL    (SI), AX
	MOVL    4(SI), BX
	MOVL    8(SI), DX
	MOVL    12(SI), R8
	MOVNTIL AX, (DI)
	MOVNTIL BX, 4(DI)
	MOVNTIL DX, 8(DI)
	MOVNTIL R8, 12(DI)
	ADDQ    $16, SI
	ADDQ    $16, DI
	SUBQ    $4, CX
	CMPQ    CX, $4
	JGE     loop4

tail:
	TESTQ CX, CX
	JEQ   done

loop1:
	MOVL    (SI), AX
	MOVNTIL AX, (DI)
	ADDQ    $4, SI
	ADDQ    $4, DI
	DECQ    CX
	JNZ     loop1

done:
	RET

// func prefetchRows(base *float32, offs []int)
// Prefetches, for each off in offs, the 128 bytes from base+4·off.
TEXT ·prefetchRows(SB), NOSPLIT, $0-32
	MOVQ base+0(FP), SI
	MOVQ offs_base+8(FP), DI
	MOVQ offs_len+16(FP), CX
	TESTQ CX, CX
	JEQ pdone

ploop:
	MOVQ       (DI), AX
	LEAQ       (SI)(AX*4), AX
	PREFETCHT0 (AX)
	PREFETCHT0 64(AX)
	ADDQ       $8, DI
	DECQ       CX
	JNZ        ploop

pdone:
	RET
