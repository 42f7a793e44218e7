"""Every question of the course content renders for a student (the kinds' forms included)."""

from __future__ import annotations

from assessments.loading import bundle_dirs, bundle_load
from assessments.models import Question
from django.conf import settings
from django.test import Client

from grader.errors import BundleError


def test_every_loadable_question_page_renders(course, student):
    loaded = []
    for folder in bundle_dirs(settings.ASSIGNMENTS_DIR):
        try:
            bundle_load(path=folder, course=course)
        except BundleError:
            continue  # content being written; tests/content validates bundles
        loaded.append(folder.name)
    client = Client()
    client.force_login(student)
    for question in Question.objects.filter(assignment__course=course):
        for lang in ("ko", "en"):
            response = client.get(f"/questions/{question.pk}/", HTTP_ACCEPT_LANGUAGE=lang)
            assert response.status_code == 200, (question.slug, lang)
            assert 'class="markdown prompt"' in response.content.decode()


def test_every_quiz_question_of_the_content_takes_an_answer(course, student, settings):
    settings.SUBMIT_RATE_PER_MINUTE = 10_000
    for folder in bundle_dirs(settings.ASSIGNMENTS_DIR):
        try:
            bundle_load(path=folder, course=course)
        except BundleError:
            continue
    client = Client()
    client.force_login(student)
    quiz = Question.objects.filter(assignment__course=course).exclude(kind="code")
    for question in quiz:
        url = f"/questions/{question.pk}/"
        html = client.get(url).content.decode()
        choice = html.split('name="choice" value="')[1].split('"')[0] if 'name="choice"' in html else ""
        response = client.post(url, {"choice": choice, "value": "12", "text": "패딩 padding"})
        assert response.status_code == 302, question.slug
        assert question.quiz_answers.filter(user=student).count() == 1, question.slug
