#include "textflag.h"

// func streamCopyNT(dst, src unsafe.Pointer, n int)
// Copies n bytes (a multiple of 4) with non-temporal stores (MOVNTI): the
// data are written once and read back much later, so they should not push
// the working set out of the cache, nor be read in before being
// overwritten. A 4-byte store first brings dst to 8-byte alignment, then
// 8-byte stores, four at a time, and a 4-byte store for the rest.
TEXT ·streamCopyNT(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	CMPQ CX, $4
	JLT  done
	TESTQ $4, DI
	JEQ  loop32
	MOVL    (SI), AX
	MOVNTIL AX, (DI)
	ADDQ    $4, SI
	ADDQ    $4, DI
	SUBQ    $4, CX

loop32:
	CMPQ    CX, $32
	JLT     loop8
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
	SUBQ    $32, CX
	JMP     loop32

loop8:
	CMPQ    CX, $8
	JLT     tail
	MOVQ    (SI), AX
	MOVNTIQ AX, (DI)
	ADDQ    $8, SI
	ADDQ    $8, DI
	SUBQ    $8, CX
	JMP     loop8

tail:
	CMPQ    CX, $4
	JLT     done
	MOVL    (SI), AX
	MOVNTIL AX, (DI)

done:
	RET

// func storeFence()
TEXT ·storeFence(SB), NOSPLIT, $0-0
	SFENCE
	RET

// func prefetchRows(base *float32, offs []int, lines int)
// Prefetches, for each off in offs, lines (≥ 1) cache lines from base+4·off.
TEXT ·prefetchRows(SB), NOSPLIT, $0-40
	MOVQ  base+0(FP), SI
	MOVQ  offs_base+8(FP), DI
	MOVQ  offs_len+16(FP), CX
	MOVQ  lines+32(FP), DX
	TESTQ CX, CX
	JEQ   pdone

ploop:
	MOVQ (DI), AX
	LEAQ (SI)(AX*4), AX
	MOVQ DX, BX

pline:
	PREFETCHT0 (AX)
	ADDQ       $64, AX
	DECQ       BX
	JNZ        pline
	ADDQ       $8, DI
	DECQ       CX
	JNZ        ploop

pdone:
	RET

// func lowerBound4(a []uint32, x *[4]uint32) (l0, l1, l2, l3 int)
// The branch-free binary search of lowerBound4Go, four keys side by side,
// each step a compare with memory and a conditional move: a shorter chain
// of dependent instructions than the compiler's set-negate-and-add.
TEXT ·lowerBound4(SB), NOSPLIT, $0-64
	MOVQ  a_base+0(FP), SI
	MOVQ  a_len+8(FP), CX
	MOVQ  x+24(FP), DI
	XORL  R8, R8
	XORL  R9, R9
	XORL  R10, R10
	XORL  R11, R11
	TESTQ CX, CX
	JEQ   lbdone
	MOVL  0(DI), R12
	MOVL  4(DI), R13
	MOVL  8(DI), DX
	MOVL  12(DI), DI

lbloop:
	CMPQ    CX, $1
	JLE     lblast
	MOVQ    CX, BX
	SHRQ    $1, BX
	SUBQ    BX, CX
	LEAQ    (R8)(BX*1), AX
	CMPL    (SI)(AX*4), R12
	CMOVQCS AX, R8
	LEAQ    (R9)(BX*1), AX
	CMPL    (SI)(AX*4), R13
	CMOVQCS AX, R9
	LEAQ    (R10)(BX*1), AX
	CMPL    (SI)(AX*4), DX
	CMOVQCS AX, R10
	LEAQ    (R11)(BX*1), AX
	CMPL    (SI)(AX*4), DI
	CMOVQCS AX, R11
	JMP     lbloop

lblast:
	CMPL (SI)(R8*4), R12
	ADCQ $0, R8
	CMPL (SI)(R9*4), R13
	ADCQ $0, R9
	CMPL (SI)(R10*4), DX
	ADCQ $0, R10
	CMPL (SI)(R11*4), DI
	ADCQ $0, R11

lbdone:
	MOVQ R8, l0+32(FP)
	MOVQ R9, l1+40(FP)
	MOVQ R10, l2+48(FP)
	MOVQ R11, l3+56(FP)
	RET
