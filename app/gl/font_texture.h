// font_texture.h — the font atlas on the GPU as one channel, not as Dear ImGui's backend
// would upload it (RGBA: 16 MB at 2048×2048, converted and copied each time).
//
//   ImGui_ImplOpenGL3_Init("#version 330 core");
//   create_backend_objects();                      // the backend's shader and buffers
//   GLuint texture = upload_font_texture(*io.Fonts);   // the atlas built; sets its TexID
//   io.Fonts->ClearTexData();                      // the texture holds it now
//   ... glDeleteTextures(1, &texture);             // before ImGui_ImplOpenGL3_Shutdown
//
// The texture is GL_R8, read as white with the atlas's alpha (GL's swizzle): the same pixels
// on screen as the backend's RGBA texture, in a quarter of the memory.
#pragma once

struct ImFontAtlas;

namespace convstep {

// The OpenGL 3 backend's device objects, for the current ImGui context: the backend is handed
// a white 1×1 stand-in atlas to upload instead of the real one. False if the backend failed.
bool create_backend_objects();

// Uploads `atlas` (built, or built here) as a one-channel texture and makes it the atlas's
// TexID. Needs a current GL context; the caller deletes the texture.
unsigned upload_font_texture(ImFontAtlas& atlas);

}  // namespace convstep
