// list.h — the phases, in lecture order: the one list a new phase joins.
//
// Each line names the phase as `Phase::Name` and the PhaseDef its file in core/phases/ defines.
// The list makes the enum (core/timeline.h) and the table of definitions (phases.cpp), so the
// two can never disagree. Lecture order is the order Next walks through the phases.
#pragma once

#define CONVSTEP_PHASES(X)      \
  X(Forward, kForwardPhase)     \
  X(Loss, kLossPhase)           \
  X(Dw, kDwPhase)               \
  X(DxGather, kDxGatherPhase)   \
  X(DxScatter, kDxScatterPhase) \
  X(Db, kDbPhase)               \
  X(Matrix, kMatrixPhase)
