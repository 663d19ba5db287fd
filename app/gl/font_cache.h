// font_cache.h — the baked font atlas kept on disk, so that a start need not bake it again.
//
//   // the fonts are added to `atlas` (AddFont), not yet built
//   const std::uint64_t key = atlas_key(atlas);
//   if (!restore_atlas(atlas, bytes_of_the_file, key)) {   // a stale or damaged file: bake
//     atlas.Build();
//     write_file_atomically(path, save_atlas(atlas, key));
//   }
//
// Baking DejaVu's three faces at eleven sizes with FreeType is about half of the app's start-up;
// reading the result back takes a few milliseconds. The file holds the atlas's alpha pixels, the
// rectangles Dear ImGui reserves in it (the mouse cursors, the anti-aliased lines) and every
// font's metrics and glyph table, exactly as the bake left them. It starts with a key that hashes
// everything the bake depends on (Dear ImGui's and FreeType's versions, the bytes of each font
// file, each font's size, glyph ranges and options) and ends with a checksum of all before it.
// restore_atlas takes nothing from a file of another key, a short or damaged one, or one whose
// tables do not fit the atlas: the caller then bakes, and writes the file again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

struct ImFontAtlas;

namespace convstep {

// A 64-bit hash of bytes (not cryptographic: it detects damage and changes, not attacks).
std::uint64_t hash_bytes(const void* data, std::size_t size, std::uint64_t seed = 0);

// The key of what `atlas` would bake: its fonts as added (their files' bytes, sizes, glyph
// ranges and options), its build options, and the versions of Dear ImGui and FreeType.
std::uint64_t atlas_key(const ImFontAtlas& atlas);

// The file's bytes for a built atlas (one with its alpha pixels).
std::string save_atlas(const ImFontAtlas& atlas, std::uint64_t key);

// Builds `atlas` (its fonts added, not built) from a file written by save_atlas for the same
// key: true when done. False when the file does not hold this atlas: the atlas is left unbuilt,
// to be baked as usual (Dear ImGui's own rectangles may be registered already, as a bake does).
bool restore_atlas(ImFontAtlas& atlas, const std::string& file, std::uint64_t key);

}  // namespace convstep
