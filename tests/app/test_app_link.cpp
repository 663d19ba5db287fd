// The app and links (core/link.h): a link opens its lesson at its view, a bad one changes
// nothing, and the link of what is on screen opens that same step, zero terms skipped or not.
#include <gtest/gtest.h>

#include <random>

#include "app/app.h"
#include "app/script.h"

namespace convstep {
namespace {

// The step on screen as the tests compare it: where it is, not how it is numbered.
struct Place {
  Phase phase;
  StepKind kind;
  Stage stage;
  long long cell;
  int term;
  bool operator==(const Place&) const = default;
};

Place place_of(const App& app) {
  const Frame& f = app.frame();
  return {f.phase, f.kind, f.stage, f.cell, f.term};
}

TEST(AppLink, ALinkOpensItsLessonAtItsView) {
  App source;
  source.open_preset("stride2");
  LinkView view;
  view.lesson = source.lesson();
  view.phase = Phase::DxGather;
  view.granularity = Granularity::Cell;
  view.step = 5;
  view.classroom = true;

  App app;
  app.open_preset("sobel-6x5");
  app.settings.skip_zero_terms = true;  // cell steps are the same either way: it stays on
  app.open_link(link_url(view, "https://example.org/convstep/"));
  EXPECT_EQ(app.lesson(), view.lesson);
  EXPECT_EQ(app.phase(), Phase::DxGather);
  EXPECT_EQ(app.settings.granularity, Granularity::Cell);
  EXPECT_EQ(app.step(), 5);
  EXPECT_EQ(app.frame().index, 5);
  EXPECT_TRUE(app.settings.classroom);
  EXPECT_TRUE(app.settings.skip_zero_terms);
  EXPECT_TRUE(app.lesson_path().empty());  // no file: Save asks where
  EXPECT_TRUE(app.read_only());
  EXPECT_FALSE(app.dirty());
  EXPECT_EQ(app.undo_name(), "open a link");
  EXPECT_EQ(app.link_view(), view);
}

TEST(AppLink, ABadLinkChangesNothingAndKeepsTheEdits) {
  App app;
  app.open_preset("sobel-6x5");
  ASSERT_TRUE(app.edit_value("W", {0, 0}, 7));
  app.set_phase(Phase::Dw);
  app.seek(4);
  const Lesson edited = app.lesson();
  const std::string good = link_url(app.link_view(), "");
  for (const std::string& bad :
       {good.substr(0, good.size() / 2), good + "&step=99999", good + "&phase=dx",
        std::string("#lesson=eyJpbnB1dCI6IFtbMV1dfQ"), std::string("#phase=dw")}) {
    EXPECT_THROW(app.open_link(bad), LessonError) << bad;
    EXPECT_EQ(app.lesson(), edited);
    EXPECT_TRUE(app.dirty());
    EXPECT_EQ(app.phase(), Phase::Dw);
    EXPECT_EQ(app.step(), 4);
    EXPECT_EQ(app.undo_name(), "edit W[0][0]");
  }
}

TEST(AppLink, TheLinkOfTheStepOnScreenOpensThatStep) {
  for (const char* preset : {"sobel-6x5", "stride2", "dilation2", "padding1-4x4", "groups"}) {
    App app;
    app.open_preset(preset);
    for (Phase p : kAllPhases)
      for (Granularity g : kAllGranularities) {
        app.set_phase(p);
        app.set_granularity(g);
        for (long long k = 0; k < app.step_count(); k += 1 + app.step_count() / 7) {
          app.seek(k);
          App other;
          other.open_link(link_url(app.link_view(), ""));
          EXPECT_EQ(place_of(other), place_of(app))
              << preset << " " << phase_name(p) << " " << granularity_name(g) << " " << k;
        }
      }
  }
}

// Skipping zero terms renumbers the term steps; a link counts them all, as `convstep steps`
// does. Every step of the skipping walk gets the link of the same term.
TEST(AppLink, ALinkMadeWhileSkippingZeroTermsOpensTheSameTerm) {
  long long compared = 0, renumbered = 0;
  for (const char* preset : {"stride2", "dilation2", "padding1-4x4", "batch3-padding1"}) {
    App app;
    app.open_preset(preset);
    app.settings.skip_zero_terms = true;
    app.set_granularity(Granularity::Term);
    for (Phase p : kAllPhases) {
      app.set_phase(p);
      for (long long k = 0; k < app.step_count(); ++k) {
        app.seek(k);
        const LinkView view = app.link_view();
        App other;
        other.open_link(view);
        ASSERT_EQ(place_of(other), place_of(app))
            << preset << " " << phase_name(p) << " step " << k << " linked as " << view.step;
        if (app.frame().current_term) {
          EXPECT_EQ(other.frame().current_term->a, app.frame().current_term->a);
          EXPECT_EQ(other.frame().current_term->b, app.frame().current_term->b);
        }
        ++compared;
        renumbered += static_cast<long long>(view.step) != k;
      }
    }
  }
  EXPECT_GT(renumbered, compared / 4);  // the skipping walk is numbered differently
}

// A teacher who skips zero terms keeps skipping when a link opens, on the same term; only a
// link to a zero term, which the skipping walk does not show, turns skipping off.
TEST(AppLink, ALinkKeepsZeroTermsSkippedUnlessItShowsOne) {
  long long kept = 0, turned_off = 0;
  for (const char* preset : {"stride2", "dilation2", "padding1-4x4"}) {
    App source;
    source.open_preset(preset);
    source.set_granularity(Granularity::Term);
    for (Phase p : kAllPhases) {
      source.set_phase(p);
      for (long long k = 0; k < source.step_count(); ++k) {
        source.seek(k);
        App other;
        other.settings.skip_zero_terms = true;
        other.open_link(source.link_view());
        const bool zero = source.frame().current_term && source.frame().current_term->zero;
        ASSERT_EQ(other.settings.skip_zero_terms, !zero)
            << preset << " " << phase_name(p) << " step " << k;
        ASSERT_EQ(place_of(other), place_of(source))
            << preset << " " << phase_name(p) << " step " << k;
        if (source.frame().current_term) {
          EXPECT_EQ(other.frame().current_term->a, source.frame().current_term->a);
          EXPECT_EQ(other.frame().current_term->b, source.frame().current_term->b);
        }
        (zero ? turned_off : kept) += 1;
      }
    }
  }
  EXPECT_GT(kept, 0);
  EXPECT_GT(turned_off, 0);
}

// Every window of this lesson lies on padding: skipping its zero terms leaves one step per
// phase, which stands for a whole cell. Its link opens that cell, at its last term.
TEST(AppLink, TheOneStepLeftWhenEveryTermIsZeroLinksToItsCell) {
  LinkView view;
  view.lesson.input = Tensor(Shape{1, 2, 1, 1});
  view.lesson.input.values = {5, 3};
  view.lesson.weight = Tensor(Shape{1, 2, 1, 1});
  view.lesson.weight.values = {2, 1};
  view.lesson.spec.stride_h = view.lesson.spec.stride_w = 3;
  view.lesson.spec.padding = Padding{PaddingMode::Explicit, 2, 2, 2, 2};
  view.granularity = Granularity::Term;
  App app;
  app.open_link(view);
  app.settings.skip_zero_terms = true;
  long long placeholders = 0;
  for (Phase p : {Phase::Forward, Phase::Dw, Phase::Matrix}) {
    app.set_phase(p);
    for (long long k = 0; k < app.step_count(); ++k) {
      app.seek(k);
      if (app.frame().kind != StepKind::Sum) continue;
      App other;
      other.open_link(app.link_view());
      EXPECT_EQ(other.frame().cell, app.frame().cell) << phase_name(p) << " step " << k;
      if (other.frame().kind == StepKind::Sum) continue;  // the full walk's own Sum step
      EXPECT_EQ(other.frame().term, other.frame().terms_per_cell - 1) << phase_name(p);
      ++placeholders;
    }
  }
  EXPECT_GT(placeholders, 0);
}

TEST(AppLink, ALessonRebuiltInTheBackgroundOpensAtItsStep) {
  // Over kBackgroundWork multiply–adds: its timeline is built on the worker.
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> value(-3, 3);
  LinkView view;
  view.lesson.input = Tensor(Shape{1, 1, 80, 80});
  for (double& v : view.lesson.input.values) v = value(rng);
  view.lesson.weight = Tensor(Shape{1, 1, 9, 9});
  for (double& v : view.lesson.weight.values) v = value(rng);
  ASSERT_GT(view.lesson.geometry().multiply_adds(), App::kBackgroundWork);
  view.phase = Phase::DxGather;
  view.granularity = Granularity::Cell;
  view.step = 5000;
  App app;
  app.set_background(true);
  app.open_link(link_fragment(view));
  EXPECT_FALSE(app.computing());
  EXPECT_EQ(app.step(), 5000);
  EXPECT_EQ(app.timeline().lesson(), view.lesson);
  EXPECT_EQ(app.link_view(), view);
}

TEST(AppLink, AStartWithALinkOpensIt) {
  App source;
  source.open_preset("dilation2");
  source.set_phase(Phase::Dw);
  source.set_granularity(Granularity::Cell);
  source.seek(2);
  App app;
  app.open_or_default(link_url(source.link_view(), "https://example.org/convstep/index.html"));
  EXPECT_EQ(place_of(app), place_of(source));
  EXPECT_FALSE(app.can_undo());  // the lesson the app starts with is where undo stops
  App bare;
  bare.open_or_default(link_fragment(source.link_view()));  // "lesson=…", no "#"
  EXPECT_EQ(place_of(bare), place_of(source));
  App bad;
  EXPECT_THROW(bad.open_or_default("#lesson=not-a-lesson"), LessonError);
}

TEST(AppLink, AScriptOpensALink) {
  App source;
  source.open_preset("stride2");
  source.set_phase(Phase::DxScatter);
  source.seek(7);
  const std::string fragment = link_fragment(source.link_view());
  struct Host : ScriptHost {
    void screenshot(const std::string&) override {}
    void export_file(const std::string&, const std::string&) override {}
    void resize(int, int) override {}
    void quit() override {}
  } host;
  App app;
  ScriptRunner runner(parse_script("open_link " + fragment + "\n", "demo.txt"), "demo.txt");
  runner.update(app, host, 0);
  EXPECT_EQ(place_of(app), place_of(source));
  ScriptRunner bad(parse_script("open_link lesson=e30\n", "demo.txt"), "demo.txt");
  try {
    bad.update(app, host, 0);
    FAIL() << "a bad link was opened";
  } catch (const ScriptError& e) {
    EXPECT_STREQ(e.what(),
                 "demo.txt:1: open_link: link, lesson: missing key \"input\": a lesson needs an "
                 "input and a weight");
  }
  EXPECT_EQ(place_of(app), place_of(source));
}

}  // namespace
}  // namespace convstep
