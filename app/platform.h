// platform.h — what differs between the desktop app and its browser build (make web, emscripten),
// in one place. The browser build runs on the page's one thread: a page served without
// cross-origin isolation (any static host) has no shared memory for worker threads.
#pragma once

namespace convstep {

#ifdef __EMSCRIPTEN__
inline constexpr bool kWorkerThreads = false;
// The page's files live in its memory and go with it: a baked font atlas is not kept.
inline constexpr bool kFontCache = false;
// WebGL 2 has no texture swizzle: the font atlas's alpha goes up as luminance and alpha.
inline constexpr bool kTextureSwizzle = false;
// WebGL 2: GLSL ES 3.00, whose floats and ints need a declared precision.
inline constexpr const char* kGlslVersion =
    "#version 300 es\nprecision highp float;\nprecision highp int;\n";
#else
inline constexpr bool kWorkerThreads = true;
inline constexpr bool kFontCache = true;
inline constexpr bool kTextureSwizzle = true;
inline constexpr const char* kGlslVersion = "#version 330 core\n";  // OpenGL 3.3 core
#endif

}  // namespace convstep
