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
// Dear ImGui's OpenGL 3 backend takes the version line alone.
inline constexpr const char* kImGuiGlslVersion = "#version 300 es";
// A page cannot write the computer's files: Save downloads the lesson, as Save as does.
inline constexpr bool kSaveInPlace = false;
#else
inline constexpr bool kWorkerThreads = true;
inline constexpr bool kFontCache = true;
inline constexpr bool kTextureSwizzle = true;
inline constexpr const char* kGlslVersion = "#version 330 core\n";  // OpenGL 3.3 core
inline constexpr const char* kImGuiGlslVersion = "#version 330 core";
inline constexpr bool kSaveInPlace = true;
#endif

}  // namespace convstep
