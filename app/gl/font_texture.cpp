#include "app/gl/font_texture.h"

#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "app/gl/gl_api.h"
#include "app/platform.h"

namespace convstep {

bool create_backend_objects() {
  ImGuiIO& io = ImGui::GetIO();
  ImFontAtlas stand_in;
  stand_in.TexPixelsRGBA32 = static_cast<unsigned int*>(IM_ALLOC(4));  // freed by the atlas
  *stand_in.TexPixelsRGBA32 = 0xFFFFFFFF;
  stand_in.TexWidth = stand_in.TexHeight = 1;
  ImFontAtlas* fonts = std::exchange(io.Fonts, &stand_in);
  const bool made = ImGui_ImplOpenGL3_CreateDeviceObjects();
  io.Fonts = fonts;
  return made;
}

unsigned upload_font_texture(ImFontAtlas& atlas) {
  unsigned char* pixels = nullptr;
  int width = 0, height = 0;
  atlas.GetTexDataAsAlpha8(&pixels, &width, &height);
  GLint previous_texture = 0, previous_alignment = 0, previous_row_length = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous_texture);
  glGetIntegerv(GL_UNPACK_ALIGNMENT, &previous_alignment);
  glGetIntegerv(GL_UNPACK_ROW_LENGTH, &previous_row_length);
  GLuint texture = 0;
  glGenTextures(1, &texture);
  glBindTexture(GL_TEXTURE_2D, texture);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  if constexpr (kTextureSwizzle) {
    const GLint white_with_alpha[] = {GL_ONE, GL_ONE, GL_ONE, GL_RED};
    glTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_RGBA, white_with_alpha);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, width, height, 0, GL_RED, GL_UNSIGNED_BYTE, pixels);
  } else {  // white, with the atlas's alpha: half the bytes of RGBA
    std::vector<unsigned char> white_alpha(static_cast<std::size_t>(width) * height * 2, 255);
    for (std::size_t i = 0; i < white_alpha.size() / 2; ++i) white_alpha[2 * i + 1] = pixels[i];
    glTexImage2D(GL_TEXTURE_2D, 0, GL_LUMINANCE_ALPHA, width, height, 0, GL_LUMINANCE_ALPHA,
                 GL_UNSIGNED_BYTE, white_alpha.data());
  }
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous_texture));
  glPixelStorei(GL_UNPACK_ALIGNMENT, previous_alignment);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, previous_row_length);
  atlas.SetTexID(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(texture)));
  return texture;
}

}  // namespace convstep
