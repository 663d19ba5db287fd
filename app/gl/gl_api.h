// gl_api.h — the OpenGL 3.3 core API for convstep's own GL code.
//
// No loader: on Linux, glvnd's libOpenGL exports every core function, so prototypes are enough
// (link OpenGL::OpenGL). Include this instead of <GL/gl.h> anywhere in app/gl.
#pragma once

#ifndef GL_GLEXT_PROTOTYPES
#define GL_GLEXT_PROTOTYPES 1
#endif
#include <GL/gl.h>
#include <GL/glext.h>
