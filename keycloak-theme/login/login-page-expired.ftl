<#import "template.ftl" as layout>
<@layout.registrationLayout; section>
    <#if section = "header">
        ${msg("pageExpiredTitle")}
    <#elseif section = "form">
        <p id="instruction1" class="instruction">${msg("wwPageExpiredText")}</p>
        <div class="ww-actions">
            <a id="loginContinueLink" class="ww-btn ww-btn--primary ww-btn--block" href="${url.loginAction}">${msg("wwPageExpiredContinue")}</a>
            <a id="loginRestartLink" class="ww-btn ww-btn--secondary ww-btn--block" href="${url.loginRestartFlowUrl}">${msg("wwPageExpiredRestart")}</a>
        </div>
    </#if>
</@layout.registrationLayout>
