"""`GET /api/v1/faq/search/?q=...`: the articles that best answer a question, for a portal's
"did you mean" box before a request is submitted."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from apps.knowledge.markdown import render_answer
from apps.knowledge.matching import suggest
from apps.knowledge.models import Article


class FaqQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=1000)
    language = serializers.CharField(max_length=10, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=10, default=3)


class FaqHitSerializer(serializers.Serializer):
    key = serializers.CharField()
    question = serializers.CharField()
    answer_html = serializers.CharField()
    score = serializers.FloatField(help_text="0-1: how likely the article answers the question")


class FaqSearch(GenericAPIView):
    permission_classes = [AllowAny]
    throttle_scope = "faq"
    serializer_class = FaqHitSerializer
    pagination_class = None  # the hits are a plain list (at most `limit`), not a page
    queryset = Article.objects.none()  # for the schema: the hits come from the matcher

    @extend_schema(
        tags=["faq"],
        summary="Find the FAQ articles that answer a question",
        parameters=[FaqQuerySerializer],
        responses={200: FaqHitSerializer(many=True)},
        examples=[
            OpenApiExample(
                "Hits",
                response_only=True,
                value=[
                    {
                        "key": "reset-password",
                        "question": "How do I reset my password?",
                        "answer_html": "<p>Use the self-service portal.</p>",
                        "score": 0.91,
                    }
                ],
            )
        ],
    )
    def get(self, request):
        query = FaqQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        matches = suggest(data["q"], language=data.get("language"), limit=data["limit"])
        articles = Article.objects.in_bulk([m.article_id for m in matches])
        hits = [
            {
                "key": m.key,
                "question": articles[m.article_id].question,
                "answer_html": render_answer(articles[m.article_id].answer),
                "score": round(m.score, 3),
            }
            for m in matches
            if m.article_id in articles
        ]
        return Response(FaqHitSerializer(hits, many=True).data)
